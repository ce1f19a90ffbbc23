#ifndef EVALGUARD_CSPAWN_H
#define EVALGUARD_CSPAWN_H
#include <spawn.h>

/// posix_spawn_file_actions_addchdir_np is a GNU extension that Swift's Glibc module does not
/// export; this wrapper lets a spawned model process start in the repository root.
int evalguard_spawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *path);

#endif
