#ifndef EVALGUARD_CGITSTART_H
#define EVALGUARD_CGITSTART_H

/// git_libgit2_init without loading the system's certificate authorities.
///
/// libgit2 built over mbedTLS (Debian's) parses the whole CA bundle in git_libgit2_init, for
/// https remotes evalguard never uses through libgit2: tens of milliseconds on every command.
/// This start-up skips that parse; evalguard's own https client (CTLS) loads the bundle when a
/// run first calls an https server.
int evalguard_git_init(void);

/// How many CA bundles libgit2's start-up asked for and did not get (0 where libgit2 is not
/// built over mbedTLS).
int evalguard_git_skipped_authorities(void);

#endif
