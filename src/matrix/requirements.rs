//! Module requirements in the matrix: rows must not choose a module without the modules it
//! requires (payments without auth, say), and repairing rows must not lose coverage.

use std::collections::BTreeSet;

use crate::catalogue::Module;

/// The options of a matrix with what each requires, by option index.
pub(super) struct Requirements<'a> {
    options: &'a [&'a Module],
    selections: &'a [Vec<Vec<String>>],
}

impl<'a> Requirements<'a> {
    pub(super) fn new(options: &'a [&'a Module], selections: &'a [Vec<Vec<String>>]) -> Self {
        Self {
            options,
            selections,
        }
    }

    fn is_none(&self, option: usize, value: usize) -> bool {
        self.selections[option][value].is_empty()
    }

    /// The value an option takes when a requirement forces it on: its default, else its first provider.
    fn forced_value(&self, option: usize) -> usize {
        let default = &self.options[option].default;
        self.selections[option]
            .iter()
            .position(|s| !s.is_empty() && s == default)
            .or_else(|| self.selections[option].iter().position(|s| !s.is_empty()))
            .unwrap_or(0)
    }

    /// The options that `option` requires, as indices (requirements outside the matrix take
    /// their module's default, which the catalogue check keeps consistent).
    fn required_by(&self, option: usize) -> impl Iterator<Item = usize> + '_ {
        self.options[option]
            .requires
            .iter()
            .filter_map(|name| self.options.iter().position(|m| &m.name == name))
    }

    /// Whether `row` satisfies every requirement.
    pub(super) fn holds(&self, row: &[usize]) -> bool {
        (0..row.len()).all(|i| {
            self.is_none(i, row[i]) || self.required_by(i).all(|j| !self.is_none(j, row[j]))
        })
    }

    /// `row` with every unmet requirement switched on, leaving the options in `fixed` alone;
    /// `None` when only changing a fixed option would do.
    pub(super) fn repair(&self, mut row: Vec<usize>, fixed: &[usize]) -> Option<Vec<usize>> {
        // Each pass switches on at least one option, so chains of requirements settle.
        for _ in 0..=row.len() {
            let unmet: Vec<usize> = (0..row.len())
                .filter(|&i| !self.is_none(i, row[i]))
                .flat_map(|i| self.required_by(i).collect::<Vec<_>>())
                .filter(|&j| self.is_none(j, row[j]))
                .collect();
            if unmet.is_empty() {
                return Some(row);
            }
            for j in unmet {
                if fixed.contains(&j) {
                    return None;
                }
                row[j] = self.forced_value(j);
            }
        }
        None
    }

    /// Repairs every row, then adds rows for each pair of values that some valid row could
    /// hold but no row does any more.
    pub(super) fn repair_pairwise(&self, rows: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
        let mut rows = self.repair_all(rows);
        let covered = |rows: &[Vec<usize>]| -> BTreeSet<(usize, usize, usize, usize)> {
            rows.iter()
                .flat_map(|row| {
                    (0..row.len())
                        .flat_map(move |i| (i + 1..row.len()).map(move |j| (i, row[i], j, row[j])))
                })
                .collect()
        };
        let mut seen = covered(&rows);
        let defaults = self.defaults();
        let n = self.options.len();
        for i in 0..n {
            for j in i + 1..n {
                for a in 0..self.selections[i].len() {
                    for b in 0..self.selections[j].len() {
                        if seen.contains(&(i, a, j, b)) {
                            continue;
                        }
                        let mut row = defaults.clone();
                        row[i] = a;
                        row[j] = b;
                        if let Some(row) = self.repair(row, &[i, j]) {
                            seen.extend(covered(std::slice::from_ref(&row)));
                            rows.push(row);
                        }
                    }
                }
            }
        }
        rows
    }

    /// Repairs every row, then adds a row for each value that repairs left uncovered.
    pub(super) fn repair_each(&self, rows: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
        let mut rows = self.repair_all(rows);
        let defaults = self.defaults();
        for i in 0..self.options.len() {
            for value in 0..self.selections[i].len() {
                if rows.iter().any(|row| row[i] == value) {
                    continue;
                }
                let mut row = defaults.clone();
                row[i] = value;
                if let Some(row) = self.repair(row, &[i]) {
                    rows.push(row);
                }
            }
        }
        rows
    }

    /// Each option's default value, by index.
    fn defaults(&self) -> Vec<usize> {
        (0..self.options.len())
            .map(|i| {
                let default = &self.options[i].default;
                self.selections[i]
                    .iter()
                    .position(|s| s == default)
                    .unwrap_or(0)
            })
            .collect()
    }

    /// Repairs every row, dropping the duplicates that repairs create.
    pub(super) fn repair_all(&self, rows: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
        let mut seen = BTreeSet::new();
        rows.into_iter()
            .filter_map(|row| self.repair(row, &[]))
            .filter(|row| seen.insert(row.clone()))
            .collect()
    }
}
