//! The template tree, embedded into the binary at compile time (`build.rs` makes cargo notice edits).

use include_dir::{Dir, include_dir};

/// Every file under `templates/`: the catalogue declarations and the files they render.
pub static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");
