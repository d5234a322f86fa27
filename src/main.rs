use std::process::ExitCode;

fn main() -> ExitCode {
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
