//! A small pairwise covering set, built greedily and deterministically.
//!
//! Each new row is the one, among a few greedy candidates, that covers the most pairs not yet
//! covered (AETG-style, with every value tried as the seed instead of a random one). Ties go to
//! the earlier option and value, so the same sizes always give the same rows.

use super::cover;

/// Rows in which every pair of values of two different options appears at least once.
///
/// With fewer than two options there are no pairs, so every value appearing once is enough.
/// An option with no values gives no rows.
pub fn pairwise(sizes: &[usize]) -> Vec<Vec<usize>> {
    if sizes.len() < 2 || sizes.contains(&0) {
        return cover::each(sizes);
    }
    let mut pairs = Pairs::new(sizes);
    let mut rows = Vec::new();
    while pairs.remaining > 0 {
        let pending = pairs.pending();
        let best = seeds(sizes)
            .filter(|&(option, value)| pending[option][value].iter().sum::<usize>() > 0)
            .map(|seed| pairs.greedy_row(&pending, seed))
            // `max_by_key` keeps the last maximum; comparing reversed keeps the first seed's row.
            .rev()
            .max_by_key(|row| pairs.gain(row))
            .expect("a pair is uncovered, so some value still has an uncovered pair");
        pairs.cover(&best);
        rows.push(best);
    }
    rows
}

/// Every (option, value), in order.
fn seeds(sizes: &[usize]) -> impl DoubleEndedIterator<Item = (usize, usize)> + '_ {
    sizes
        .iter()
        .enumerate()
        .flat_map(|(option, &size)| (0..size).map(move |value| (option, value)))
}

/// Which value pairs of every two options are still uncovered.
struct Pairs {
    sizes: Vec<usize>,
    /// `uncovered[i][j][a * sizes[j] + b]` for options `i < j`; empty tables where `i >= j`.
    uncovered: Vec<Vec<Vec<bool>>>,
    remaining: usize,
}

impl Pairs {
    fn new(sizes: &[usize]) -> Self {
        let k = sizes.len();
        let uncovered: Vec<Vec<Vec<bool>>> = (0..k)
            .map(|i| {
                (0..k)
                    .map(|j| vec![true; if i < j { sizes[i] * sizes[j] } else { 0 }])
                    .collect()
            })
            .collect();
        let remaining = uncovered.iter().flatten().map(Vec::len).sum();
        Self {
            sizes: sizes.to_vec(),
            uncovered,
            remaining,
        }
    }

    fn is_uncovered(&self, (i, a): (usize, usize), (j, b): (usize, usize)) -> bool {
        let ((i, a), (j, b)) = if i < j {
            ((i, a), (j, b))
        } else {
            ((j, b), (i, a))
        };
        self.uncovered[i][j][a * self.sizes[j] + b]
    }

    /// `pending[i][a][j]`: how many values of option `j` still pair uncovered with value `a` of `i`.
    fn pending(&self) -> Vec<Vec<Vec<usize>>> {
        let k = self.sizes.len();
        (0..k)
            .map(|i| {
                (0..self.sizes[i])
                    .map(|a| {
                        (0..k)
                            .map(|j| {
                                if i == j {
                                    return 0;
                                }
                                (0..self.sizes[j])
                                    .filter(|&b| self.is_uncovered((i, a), (j, b)))
                                    .count()
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }

    /// Grows a row from `seed`, fixing one option at a time.
    ///
    /// The next (option, value) fixed is the one that covers the most uncovered pairs with the
    /// options already fixed; among equals, the one with the most uncovered pairs left to the
    /// options still open, since that keeps later choices useful.
    fn greedy_row(
        &self,
        pending: &[Vec<Vec<usize>>],
        (option, value): (usize, usize),
    ) -> Vec<usize> {
        let k = self.sizes.len();
        let mut row: Vec<Option<usize>> = vec![None; k];
        row[option] = Some(value);
        for _ in 1..k {
            let mut best: Option<((usize, usize), (usize, usize))> = None;
            for (i, values) in pending.iter().enumerate() {
                if row[i].is_some() {
                    continue;
                }
                for (a, pending_by_option) in values.iter().enumerate() {
                    let mut now = 0;
                    let mut later = 0;
                    for (j, fixed) in row.iter().enumerate() {
                        match fixed {
                            Some(b) => now += usize::from(self.is_uncovered((i, a), (j, *b))),
                            None if j != i => later += pending_by_option[j],
                            None => {}
                        }
                    }
                    // Strictly greater only, so ties keep the earliest option and value.
                    if best.is_none_or(|(score, _)| (now, later) > score) {
                        best = Some(((now, later), (i, a)));
                    }
                }
            }
            let (_, (i, a)) = best.expect("an option is still open");
            row[i] = Some(a);
        }
        row.into_iter()
            .map(|value| value.expect("every option is fixed"))
            .collect()
    }

    /// How many uncovered pairs `row` would cover.
    fn gain(&self, row: &[usize]) -> usize {
        let mut gain = 0;
        for i in 0..row.len() {
            for j in i + 1..row.len() {
                gain += usize::from(self.is_uncovered((i, row[i]), (j, row[j])));
            }
        }
        gain
    }

    fn cover(&mut self, row: &[usize]) {
        for i in 0..row.len() {
            for j in i + 1..row.len() {
                let cell = &mut self.uncovered[i][j][row[i] * self.sizes[j] + row[j]];
                if std::mem::replace(cell, false) {
                    self.remaining -= 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_options_need_their_full_product() {
        assert_eq!(pairwise(&[2, 3]).len(), 6);
    }

    #[test]
    fn three_binary_options_need_four_rows() {
        assert_eq!(pairwise(&[2, 2, 2]).len(), 4);
    }

    #[test]
    fn a_single_option_gets_each_value_once() {
        assert_eq!(pairwise(&[3]), [[0], [1], [2]]);
    }

    #[test]
    fn an_option_without_values_leaves_no_rows() {
        assert!(pairwise(&[2, 0, 3]).is_empty());
    }
}
