#!/usr/bin/env python3
"""Start-up and size: CPU of `evalguard --version` beside a static Swift program that prints a
line and `git rev-parse HEAD` (the floor any git tool pays), and the size of the release binary
and archive.

Builds the release archive as a release is built (scripts/package.sh: release, static Swift
runtime, stripped, gzip -9) and measures the binary inside it. Each round runs every program
once, in turn, so a machine loaded by other work loads them alike; CPU (user + system) is read
from wait4(2) for the measured process alone, and the median over the rounds is printed, with
each figure's ratio to the static Swift program's.

Usage: Benchmarks/startup.py [--rounds 300] [--scratch-path DIR] [--archive PATH]
(--scratch-path is SwiftPM's build directory, .build by default; --archive measures an archive
already built from it instead of building one.)
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile

HELLO = 'print("hello")\n'
# A C program that links libgit2 as evalguard does and calls nothing: what loading libgit2 and
# the libraries it needs (OpenSSL's libcrypto through libssh2, Kerberos, mbedTLS) costs alone.
LIBGIT2_ONLY = "int git_libgit2_init(void);\nint main(int argc, char **argv) { if (argc > 99) git_libgit2_init(); return 0; }\n"


def cpu_ms(command, cwd):
    """User + system CPU of one run of `command`, in milliseconds."""
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"startup.py: {' '.join(command)} failed")
    return (usage.ru_utime + usage.ru_stime) * 1000


def build_archive(here, work, scratch):
    """The release archive, built by scripts/package.sh into `work`; returns its path."""
    out = subprocess.run([os.path.join(here, "scripts", "package.sh"), "--output", work, "--scratch-path", scratch],
                         check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    return out.strip().splitlines()[-1]


def static_hello(work):
    """A Swift program that prints a line, linked as evalguard is (static Swift runtime), stripped."""
    source, binary = os.path.join(work, "hello.swift"), os.path.join(work, "hello")
    with open(source, "w") as f:
        f.write(HELLO)
    subprocess.run(["swiftc", "-O", "-static-stdlib", source, "-o", binary], check=True, cwd=work)
    subprocess.run(["strip", binary], check=True)
    return binary


def libgit2_only(work):
    """The C program above, or None without a C compiler."""
    source, binary = os.path.join(work, "libgit2_only.c"), os.path.join(work, "libgit2_only")
    with open(source, "w") as f:
        f.write(LIBGIT2_ONLY)
    built = subprocess.run(["cc", "-O2", source, "-o", binary, "-lgit2"], capture_output=True)
    return binary if built.returncode == 0 else None


def links_foundation(binary):
    """Which of Foundation's internationalization libraries the unstripped release binary holds."""
    if not os.path.exists(binary):
        return "unknown (no unstripped binary)"
    symbols = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True).stdout
    found = [name for name, marker in [("Foundation", "10Foundation"), ("FoundationInternationalization", "30FoundationInternationalization"),
                                       ("ICU", "ucol_open")] if marker in symbols]
    return ", ".join(found) if found else "none (FoundationEssentials only)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--scratch-path", help="SwiftPM's build directory (default: .build)")
    parser.add_argument("--archive", help="an archive already built by scripts/package.sh")
    args = parser.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    scratch = os.path.abspath(args.scratch_path or os.path.join(here, ".build"))
    with tempfile.TemporaryDirectory() as work:
        archive = args.archive or build_archive(here, work, scratch)
        with tarfile.open(archive) as tar:
            tar.extractall(work, filter="data")
        evalguard = glob.glob(os.path.join(work, "evalguard-*", "bin", "evalguard"))[0]
        hello = static_hello(work)
        programs = {"evalguard --version": [evalguard, "--version"], "static Swift hello": [hello],
                    "git rev-parse HEAD": ["git", "rev-parse", "HEAD"]}
        loader = libgit2_only(work)
        if loader:
            programs["C linking libgit2"] = [loader]
        samples = {name: [] for name in programs}
        load_before = os.getloadavg()
        for _ in range(args.rounds):
            for name, command in programs.items():
                samples[name].append(cpu_ms(command, here))
        medians = {name: statistics.median(values) for name, values in samples.items()}
        floor = medians["static Swift hello"]
        load_after = os.getloadavg()
        print(f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; {args.rounds} rounds, median CPU")
        for name, value in medians.items():
            print(f"  {name:22} {value:6.2f} ms   ×{value / floor:.2f} the static Swift hello")
        print(f"stripped binary   {os.path.getsize(evalguard) / 1e6:6.1f} MB")
        print(f"archive           {os.path.getsize(archive) / 1e6:6.1f} MB  ({os.path.basename(archive)})")
        print(f"Foundation linked: {links_foundation(os.path.join(scratch, 'release', 'evalguard'))}")


if __name__ == "__main__":
    main()
