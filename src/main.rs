use std::process::ExitCode;

// A command renders a whole project in memory, hundreds of thousands of small allocations in a
// process that lives 40 ms: with glibc's allocator, malloc and free were a sixth of the CPU of
// `generate resource` and its wall time a fifth longer (BENCHMARKS.md). mimalloc builds from one
// C file in 4 s, on every target the release builds.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // libgit2 hashes every object it reads back to check it against its id, with SHA-1
    // collision detection: a sixth of a change's instructions, spent on objects of the user's
    // own repository that git itself reads without hashing them again (`git fsck` checks them).
    git2::opts::strict_hash_verification(false);
    match omnistack::cli::run(std::env::args_os()) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader stopped because it had all it wanted (`omnistack list | head`): no failure,
        // so no message, and status 0 rather than the 141 of a process killed by SIGPIPE, which
        // would fail a `set -o pipefail` script.
        Err(error) if error.is_closed_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{} {error}", console::style("error:").red().bold());
            ExitCode::from(error.exit_code())
        }
    }
}
