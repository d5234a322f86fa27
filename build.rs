// include_dir! embeds templates/ at compile time, but cargo only rebuilds when it is told which
// paths matter; without this, editing a template would leave a stale binary.
fn main() {
    println!("cargo:rerun-if-changed=templates");
}
