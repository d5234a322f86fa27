use std::process::ExitCode;

fn main() -> ExitCode {
    match omnistack::cli::run(std::env::args_os()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{} {error}", console::style("error:").red().bold());
            ExitCode::from(error.exit_code())
        }
    }
}
