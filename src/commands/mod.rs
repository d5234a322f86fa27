//! One file per subcommand, each owning its arguments, plus what several of them share.

pub mod add;
pub mod adopt;
pub mod change;
pub mod completions;
pub mod doctor;
pub mod generate;
pub mod list;
pub mod matrix;
pub mod module_flags;
pub mod new;
pub mod remove;
pub mod update;
