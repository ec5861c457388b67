//! The skill taxonomy: each skill has at most one parent, and a student's skill
//! also counts for every ancestor (PyTorch → deep learning → machine learning).

use serde::{Deserialize, Serialize};

/// Dense identifier of a skill: the engine works on `0..taxonomy.len()` so that
/// per-skill tables are plain vectors. Alias normalisation happens before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct SkillId(pub u32);

impl SkillId {
    /// The id as a vector index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Largest number of skills: student skill vectors pack a skill and two
/// levels (effective and declared) into one `u32`, three bits for each.
pub const MAX_SKILLS: usize = 1 << 26;

/// Why a list of parents does not form a taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxonomyError {
    /// A parent refers to a skill beyond the list.
    #[error("skill {skill} has parent {parent}, which is not a known skill")]
    UnknownParent {
        /// The child.
        skill: u32,
        /// Its dangling parent.
        parent: u32,
    },
    /// Following parents from this skill comes back to it: ancestor credit would
    /// never end, so the taxonomy is refused rather than silently cut.
    #[error("skill {skill} is its own ancestor")]
    Cycle {
        /// A skill on the loop.
        skill: u32,
    },
    /// More skills than [`MAX_SKILLS`].
    #[error("{count} skills is more than the engine supports")]
    TooLarge {
        /// Number of skills given.
        count: usize,
    },
}

/// Parent links with every ancestor chain computed once, so expanding a
/// student's skills is a few slice reads.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    parents: Vec<Option<SkillId>>,
    ancestor_start: Vec<u32>,
    ancestors: Vec<SkillId>,
}

impl Taxonomy {
    /// Builds the taxonomy from the parent of each skill (`parents[i]` is the
    /// parent of `SkillId(i)`). Refuses dangling parents and loops.
    pub fn new(parents: Vec<Option<SkillId>>) -> Result<Self, TaxonomyError> {
        let n = parents.len();
        if n > MAX_SKILLS {
            return Err(TaxonomyError::TooLarge { count: n });
        }
        for (i, p) in parents.iter().enumerate() {
            if let Some(p) = p {
                if p.index() >= n {
                    return Err(TaxonomyError::UnknownParent { skill: i as u32, parent: p.0 });
                }
            }
        }
        let mut ancestor_start = Vec::with_capacity(n + 1);
        let mut ancestors = Vec::new();
        for i in 0..n {
            ancestor_start.push(ancestors.len() as u32);
            let mut cur = parents[i];
            let mut steps = 0usize;
            while let Some(p) = cur {
                // A chain longer than the number of skills must revisit one.
                steps += 1;
                if p.index() == i || steps > n {
                    return Err(TaxonomyError::Cycle { skill: i as u32 });
                }
                ancestors.push(p);
                cur = parents[p.index()];
            }
        }
        ancestor_start.push(ancestors.len() as u32);
        Ok(Self { parents, ancestor_start, ancestors })
    }

    /// A taxonomy of `n` skills without any parent.
    pub fn flat(n: usize) -> Result<Self, TaxonomyError> {
        Self::new(vec![None; n])
    }

    /// Number of skills.
    pub fn len(&self) -> usize {
        self.parents.len()
    }

    /// Whether the taxonomy has no skill.
    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    /// Whether the id names a skill of this taxonomy.
    pub fn contains(&self, skill: SkillId) -> bool {
        skill.index() < self.parents.len()
    }

    /// The direct parent of a skill, if any.
    pub fn parent(&self, skill: SkillId) -> Option<SkillId> {
        self.parents.get(skill.index()).copied().flatten()
    }

    /// The ancestors of a skill, nearest first; empty for an unknown skill.
    pub fn ancestors(&self, skill: SkillId) -> &[SkillId] {
        let i = skill.index();
        match (self.ancestor_start.get(i), self.ancestor_start.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.ancestors[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Approximate heap size in bytes.
    pub fn approx_memory_bytes(&self) -> usize {
        self.parents.capacity() * std::mem::size_of::<Option<SkillId>>()
            + self.ancestor_start.capacity() * 4
            + self.ancestors.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_are_listed_nearest_first() {
        // 0 machine learning, 1 deep learning, 2 PyTorch, 3 SQL
        let t = Taxonomy::new(vec![None, Some(SkillId(0)), Some(SkillId(1)), None]).unwrap();
        assert_eq!(t.ancestors(SkillId(2)), &[SkillId(1), SkillId(0)]);
        assert_eq!(t.ancestors(SkillId(0)), &[] as &[SkillId]);
        assert_eq!(t.ancestors(SkillId(3)), &[] as &[SkillId]);
        assert_eq!(t.ancestors(SkillId(99)), &[] as &[SkillId]);
        assert_eq!(t.parent(SkillId(1)), Some(SkillId(0)));
    }

    #[test]
    fn loops_and_dangling_parents_are_refused() {
        assert_eq!(
            Taxonomy::new(vec![Some(SkillId(1)), Some(SkillId(0))]).unwrap_err(),
            TaxonomyError::Cycle { skill: 0 }
        );
        assert_eq!(Taxonomy::new(vec![Some(SkillId(0))]).unwrap_err(), TaxonomyError::Cycle { skill: 0 });
        // A loop above a skill that is not itself on the loop.
        assert!(matches!(
            Taxonomy::new(vec![Some(SkillId(1)), Some(SkillId(2)), Some(SkillId(1))]),
            Err(TaxonomyError::Cycle { .. })
        ));
        assert_eq!(
            Taxonomy::new(vec![Some(SkillId(5))]).unwrap_err(),
            TaxonomyError::UnknownParent { skill: 0, parent: 5 }
        );
    }
}
