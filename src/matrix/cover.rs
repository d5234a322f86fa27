//! The simple covering strategies, over options given only by how many values each has.
//!
//! A row gives, for every option in order, the index of the value it takes.

/// Every combination of values (the cartesian product), the last option varying fastest.
///
/// No options give the one empty row; an option with no values gives no rows.
pub fn all(sizes: &[usize]) -> Vec<Vec<usize>> {
    if sizes.contains(&0) {
        return Vec::new();
    }
    let mut rows = Vec::with_capacity(product(sizes));
    let mut row = vec![0; sizes.len()];
    loop {
        rows.push(row.clone());
        // Odometer step: bump the last option, carrying into earlier ones as each wraps.
        let Some(carry) = (0..sizes.len()).rev().find(|&i| row[i] + 1 < sizes[i]) else {
            return rows;
        };
        row[carry] += 1;
        row[carry + 1..].fill(0);
    }
}

/// Every value of every option at least once: as many rows as the largest option has values.
///
/// Row `r` takes value `r mod size` of each option, so smaller options cycle through theirs again.
/// No options give the one empty row; an option with no values gives no rows.
pub fn each(sizes: &[usize]) -> Vec<Vec<usize>> {
    if sizes.contains(&0) {
        return Vec::new();
    }
    let rows = sizes.iter().copied().max().unwrap_or(1);
    (0..rows)
        .map(|r| sizes.iter().map(|&size| r % size).collect())
        .collect()
}

/// How many rows [`all`] gives, saturating rather than overflowing for huge catalogues.
pub fn product(sizes: &[usize]) -> usize {
    sizes.iter().fold(1usize, |n, &size| n.saturating_mul(size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_varies_the_last_option_fastest() {
        assert_eq!(
            all(&[2, 3]),
            [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
        );
    }

    #[test]
    fn all_of_no_options_is_the_one_empty_row() {
        assert_eq!(all(&[]), [Vec::<usize>::new()]);
    }

    #[test]
    fn an_option_without_values_leaves_no_rows() {
        assert!(all(&[2, 0]).is_empty());
        assert!(each(&[2, 0]).is_empty());
    }

    #[test]
    fn each_cycles_smaller_options_through_their_values() {
        assert_eq!(each(&[3, 2, 1]), [[0, 0, 0], [1, 1, 0], [2, 0, 0]]);
    }

    #[test]
    fn product_saturates_instead_of_overflowing() {
        assert_eq!(product(&[usize::MAX, 2]), usize::MAX);
    }
}
