//! One file per subcommand.

pub mod add;
pub mod adopt;
pub mod change;
pub mod list;
pub mod matrix;
pub mod new;
pub mod remove;
pub mod update;
