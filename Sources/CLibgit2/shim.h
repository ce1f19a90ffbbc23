#include <git2.h>

/// git_libgit2_opts is variadic, which Swift cannot call; one wrapper per option evalguard sets.
static inline int evalguard_git_enable_caching(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}

static inline int evalguard_git_enable_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}
