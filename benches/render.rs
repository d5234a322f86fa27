//! In-process generation time: plan and render every preset of `examples/`, no disk or git.
//!
//! Run with `cargo bench --bench render`. A plain timing loop rather than criterion or divan:
//! the figure wanted is a median over a few hundred renders, and a benchmark crate would be
//! compiled by every `cargo test` for it.

use std::path::Path;
use std::time::{Duration, Instant};

use omnistack::answers::{Answers, AnswersFile};
use omnistack::catalogue::Catalogue;
use omnistack::generate;
use omnistack::name::ProjectName;

const RUNS: usize = 200;

fn main() {
    let started = Instant::now();
    let catalogue = Catalogue::embedded().expect("the embedded catalogue loads");
    println!(
        "catalogue load (first, includes parsing): {:?}",
        started.elapsed()
    );

    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut presets: Vec<_> = std::fs::read_dir(&examples)
        .expect("examples/ is readable")
        .map(|entry| entry.expect("examples/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    presets.sort();

    println!(
        "{:<10} {:>7} {:>12} {:>12} {:>12}",
        "preset", "files", "min", "median", "p95"
    );
    for preset in presets {
        let file = AnswersFile::read(&catalogue, &preset).expect("the preset parses");
        let name = ProjectName::parse("bench-app").expect("valid name");
        let answers = Answers::complete(&catalogue, name, &file.choices, |_| Ok::<_, ()>(None))
            .expect("the preset is complete");
        let mut files = 0;
        let mut times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let tree = generate(&catalogue, &answers).expect("the preset renders");
                let elapsed = start.elapsed();
                files = tree.files.len();
                elapsed
            })
            .collect();
        times.sort();
        let stem = preset.file_stem().unwrap_or_default().to_string_lossy();
        println!(
            "{stem:<10} {files:>7} {:>12.2?} {:>12.2?} {:>12.2?}",
            times[0],
            times[RUNS / 2],
            times[RUNS * 95 / 100]
        );
    }
}
