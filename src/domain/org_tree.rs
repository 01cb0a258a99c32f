//! The tree of organisations (a province's office, its cities' offices, their districts' …):
//! who is below whom. Reports cover an office and everything below it; heads of office read the
//! cases of the offices below theirs.

use std::collections::{HashMap, HashSet};

/// Every organisation below `root`, at any depth, given the `(child, parent)` links; in
/// breadth-first order, `root` itself excluded. A cycle in the links (refused on write, but
/// possible in hand-edited data) ends the walk instead of looping.
pub fn below(root: i64, links: &[(i64, i64)]) -> Vec<i64> {
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for (child, parent) in links {
        children.entry(*parent).or_default().push(*child);
    }
    for list in children.values_mut() {
        list.sort_unstable();
    }
    let mut seen = HashSet::from([root]);
    let mut out = Vec::new();
    let mut next = vec![root];
    while !next.is_empty() {
        let mut level = Vec::new();
        for id in next {
            for child in children.get(&id).into_iter().flatten() {
                if seen.insert(*child) {
                    out.push(*child);
                    level.push(*child);
                }
            }
        }
        next = level;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_province_reaches_its_cities_and_their_districts_but_not_a_sibling() {
        // 1 province; 2, 3 cities; 4 a district of 2; 9 another province with city 10.
        let links = [(2, 1), (3, 1), (4, 2), (10, 9)];
        assert_eq!(below(1, &links), vec![2, 3, 4]);
        assert_eq!(below(2, &links), vec![4]);
        assert!(below(4, &links).is_empty());
        assert_eq!(below(9, &links), vec![10]);
    }

    #[test]
    fn a_cycle_in_the_links_ends_the_walk() {
        let links = [(2, 1), (1, 2), (3, 2)];
        assert_eq!(below(1, &links), vec![2, 3]);
    }
}
