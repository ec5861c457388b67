//! The in-memory index: students in dense slots with packed, sorted effective
//! skill vectors, one posting list per skill and level, and offers anchored on
//! one of their required skills.
//!
//! Ranking candidates for an offer picks a strategy from the posting-list
//! sizes. When a required skill is rare, its postings at or above the minimum
//! level drive the scan and each candidate's other requirements are read from
//! its skill vector. When every required skill is common, the preferred
//! posting lists are walked rarest first with a score upper bound (MaxScore):
//! once the k-th best score is known, the lists whose combined best credit
//! cannot reach it are never read, and within a list the lower levels are cut.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::near_miss::{self, near_miss, within_reach, NearMiss};
use super::rules::{
    available, credit_units, evaluate, normalise_city, offer_filters, HardFilter, MatchResult, OfferProfile, RankKey,
    StudentProfile, TopK, CREDIT_UNIT,
};
use super::taxonomy::{SkillId, Taxonomy};
use crate::domain::{DegreeLevel, OfferKind, OfferStatus, WorkMode};

/// Below this many postings a required skill drives the scan directly: a
/// plain scan of that size is cheaper than setting up the bounded walk.
const DRIVER_SCAN_LIMIT: usize = 20_000;

/// Below this many students eligible but for availability (every filter
/// passed, every required skill held), each is scored; above, the preferred
/// lists are walked with a bound. A scan reads every one of them, the walk
/// only those holding the rarer preferred skills until the bound cuts.
const ELIGIBLE_SCAN_LIMIT: usize = 1_000;

const LEVELS: usize = 5;

#[derive(Debug, Clone)]
struct StudentSlot {
    id: i64,
    /// One allocation per student: effective skills (see [`pack`], sorted),
    /// then the declared skills the taxonomy does not know (kept, as the
    /// declared level inside each entry is, to re-expand on a new
    /// taxonomy), then interned city ids.
    data: Box<[u32]>,
    skills_len: u32,
    unknown_len: u32,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    kinds: u8,
    /// 0 when unknown, else 1 + rank in [`DegreeLevel::ALL`].
    degree: u8,
    remote_ok: bool,
    discoverable: bool,
}

impl StudentSlot {
    fn skills(&self) -> &[u32] {
        &self.data[..self.skills_len as usize]
    }

    /// The declared skills, each at its highest declared level.
    fn declared(&self) -> Vec<(SkillId, u8)> {
        let start = self.skills_len as usize;
        let unknown = &self.data[start..start + self.unknown_len as usize];
        self.skills()
            .iter()
            .filter(|&&e| declared_level(e) > 0)
            .map(|&e| (SkillId(entry_skill(e)), declared_level(e)))
            .chain(unknown.iter().map(|&e| (SkillId(entry_skill(e)), entry_level(e))))
            .collect()
    }

    fn cities(&self) -> &[u32] {
        &self.data[(self.skills_len + self.unknown_len) as usize..]
    }
}

fn student_data(skills: &[u32], unknown: &[u32], cities: &[u32]) -> (Box<[u32]>, u32, u32) {
    let mut data = Vec::with_capacity(skills.len() + unknown.len() + cities.len());
    data.extend_from_slice(skills);
    data.extend_from_slice(unknown);
    data.extend_from_slice(cities);
    (data.into(), skills.len() as u32, unknown.len() as u32)
}

/// Student slots by id: a plain vector indexed by id while ids stay dense
/// (database ids are), a hash map for the others. At a million students the
/// vector takes 4 bytes a student where the map took about 34.
#[derive(Debug, Clone, Default)]
struct SlotMap {
    /// `dense[id]`: slot of student `id`, or [`SlotMap::NONE`].
    dense: Vec<u32>,
    /// Ids outside `0..dense.len()`.
    sparse: HashMap<i64, u32>,
    len: usize,
}

impl SlotMap {
    const NONE: u32 = u32::MAX;

    fn get(&self, id: i64) -> Option<u32> {
        match usize::try_from(id).ok().and_then(|i| self.dense.get(i)) {
            Some(&slot) => (slot != Self::NONE).then_some(slot),
            None => self.sparse.get(&id).copied(),
        }
    }

    fn insert(&mut self, id: i64, slot: u32) {
        if let Ok(i) = usize::try_from(id) {
            // The vector may grow to twice the number of students (plus some
            // room for a small index): past that, ids are too sparse for it.
            let bound = 2 * (self.len + 1) + 1024;
            if i >= self.dense.len() && i < bound {
                let new_len = (i + 1).max(self.dense.len() * 2).min(bound);
                self.dense.resize(new_len, Self::NONE);
                let moved: Vec<i64> =
                    self.sparse.keys().copied().filter(|&k| k >= 0 && (k as usize) < new_len).collect();
                for k in moved {
                    if let Some(s) = self.sparse.remove(&k) {
                        self.dense[k as usize] = s;
                    }
                }
            }
            if let Some(entry) = self.dense.get_mut(i) {
                if *entry == Self::NONE {
                    self.len += 1;
                }
                *entry = slot;
                return;
            }
        }
        if self.sparse.insert(id, slot).is_none() {
            self.len += 1;
        }
    }

    fn remove(&mut self, id: i64) -> Option<u32> {
        let found = match usize::try_from(id).ok().and_then(|i| self.dense.get_mut(i)) {
            Some(entry) => Some(std::mem::replace(entry, Self::NONE)).filter(|&s| s != Self::NONE),
            None => self.sparse.remove(&id),
        };
        if found.is_some() {
            self.len -= 1;
        }
        found
    }

    fn reserve(&mut self, additional: usize) {
        let want = self.len + additional + 1;
        if want > self.dense.len() {
            self.dense.reserve_exact(want - self.dense.len());
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn shrink_to_fit(&mut self) {
        self.dense.shrink_to_fit();
        self.sparse.shrink_to_fit();
    }

    fn bytes(&self) -> usize {
        self.dense.capacity() * 4 + self.sparse.capacity() * (8 + 4 + 1)
    }
}

#[derive(Debug, Clone)]
struct OfferSlot {
    profile: OfferProfile,
    city: u32,
    kind: u8,
    min_degree: u8,
    /// Required skill under which the offer is listed; `None` for an offer
    /// without required skills, listed apart.
    anchor: Option<SkillId>,
    /// Some required skill is outside the taxonomy: nobody can be eligible.
    unreachable: bool,
    total: u32,
    /// The requirements normalised once (see [`reqs_of`]).
    reqs: Box<[Req]>,
}

/// An offer listed under its anchor skill, with the level the anchor asks
/// for: a student holding the skill below it cannot be eligible, which the
/// list tells without reading the offer.
#[derive(Debug, Clone, Copy)]
struct Anchored {
    slot: u32,
    min_level: u8,
}

#[derive(Debug, Clone, Copy)]
struct Req {
    skill: u32,
    m: u8,
    w: u8,
    required: bool,
}

/// A growable bitset over student slots; bits past the end read as 0.
#[derive(Debug, Clone, Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn set(&mut self, slot: u32, on: bool) {
        let (w, b) = (slot as usize / 64, slot % 64);
        if on {
            if w >= self.0.len() {
                self.0.resize(w + 1, 0);
            }
            self.0[w] |= 1 << b;
        } else if let Some(word) = self.0.get_mut(w) {
            *word &= !(1 << b);
        }
    }

    fn get(&self, slot: u32) -> bool {
        self.0.get(slot as usize / 64).is_some_and(|w| w & (1 << (slot % 64)) != 0)
    }

    fn word(&self, w: usize) -> u64 {
        self.0.get(w).copied().unwrap_or(0)
    }

    fn bytes(&self) -> usize {
        self.0.capacity() * 8
    }
}

/// The students holding one skill at exactly one level: a list of slots, or
/// a bitset over every slot once the list would take more room than that
/// (a holder in 32 students). A common skill's bitset is combined with a
/// query's filter bitset a word at a time, so walking it visits only the
/// students who pass, where the list cost a read per holder.
#[derive(Debug, Clone)]
enum Posting {
    Slots(Vec<u32>),
    Bits { bits: Bits, len: usize },
}

impl Default for Posting {
    fn default() -> Self {
        Posting::Slots(Vec::new())
    }
}

impl Posting {
    /// An empty posting for `count` holders among `slots` student slots, in
    /// the form that takes less room.
    fn with_room(count: usize, slots: usize) -> Self {
        if count.saturating_mul(32) > slots {
            Posting::Bits { bits: Bits(vec![0; slots.div_ceil(64)]), len: 0 }
        } else {
            Posting::Slots(Vec::with_capacity(count))
        }
    }

    fn len(&self) -> usize {
        match self {
            Posting::Slots(list) => list.len(),
            Posting::Bits { len, .. } => *len,
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn push(&mut self, slot: u32) {
        match self {
            Posting::Slots(list) => list.push(slot),
            Posting::Bits { bits, len } => {
                if !bits.get(slot) {
                    bits.set(slot, true);
                    *len += 1;
                }
            }
        }
    }

    fn remove(&mut self, slot: u32) {
        match self {
            Posting::Slots(list) => {
                if let Some(p) = list.iter().position(|&x| x == slot) {
                    list.swap_remove(p);
                }
            }
            Posting::Bits { bits, len } => {
                if bits.get(slot) {
                    bits.set(slot, false);
                    *len -= 1;
                }
            }
        }
    }

    /// The holders whose bit is set in `pass` (all of them without one).
    fn iter<'a>(&'a self, pass: Option<&'a Bits>) -> PostingIter<'a> {
        match self {
            Posting::Slots(list) => PostingIter::Slots { list: list.iter(), pass },
            Posting::Bits { bits, .. } => PostingIter::Words { words: &bits.0, pass, next: 0, base: 0, cur: 0 },
        }
    }

    /// Sets the bit of every holder in `out`, which covers every slot.
    fn set_in(&self, out: &mut Bits) {
        match self {
            Posting::Slots(list) => {
                for &slot in list {
                    out.set(slot, true);
                }
            }
            Posting::Bits { bits, .. } => {
                for (o, &w) in out.0.iter_mut().zip(&bits.0) {
                    *o |= w;
                }
            }
        }
    }

    fn shrink_to_fit(&mut self) {
        match self {
            Posting::Slots(list) => list.shrink_to_fit(),
            Posting::Bits { bits, .. } => bits.0.shrink_to_fit(),
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Posting::Slots(list) => list.capacity() * 4,
            Posting::Bits { bits, .. } => bits.bytes(),
        }
    }
}

/// Slots of a [`Posting`], restricted to a filter bitset.
enum PostingIter<'a> {
    Slots {
        list: std::slice::Iter<'a, u32>,
        pass: Option<&'a Bits>,
    },
    /// `cur` holds the bits of word `base / 64` not yet given; `next` is the
    /// next word to read.
    Words {
        words: &'a [u64],
        pass: Option<&'a Bits>,
        next: usize,
        base: u32,
        cur: u64,
    },
}

impl Iterator for PostingIter<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            PostingIter::Slots { list, pass } => list.find(|&&slot| pass.is_none_or(|p| p.get(slot))).copied(),
            PostingIter::Words { words, pass, next, base, cur } => loop {
                if *cur != 0 {
                    let slot = *base + cur.trailing_zeros();
                    *cur &= *cur - 1;
                    return Some(slot);
                }
                let &word = words.get(*next)?;
                *cur = word & pass.map_or(u64::MAX, |p| p.word(*next));
                *base = (*next * 64) as u32;
                *next += 1;
            },
        }
    }
}

/// One bitset per value of each hard-filter attribute, so that a query can
/// combine them word by word into the set of students passing the offer's
/// filters, and skip the others without reading their slot.
#[derive(Debug, Clone, Default)]
struct FilterBits {
    kinds: [Bits; 2],
    /// `degree_at_least[d]`: degree rank ≥ d + 1.
    degree_at_least: [Bits; 5],
    remote_ok: Bits,
    discoverable: Bits,
    /// Per interned city.
    cities: Vec<Bits>,
}

impl FilterBits {
    fn mark(&mut self, slot: u32, s: &StudentSlot, on: bool) {
        for (i, bits) in self.kinds.iter_mut().enumerate() {
            if s.kinds & (1 << i) != 0 {
                bits.set(slot, on);
            }
        }
        for (d, bits) in self.degree_at_least.iter_mut().enumerate() {
            if usize::from(s.degree) > d {
                bits.set(slot, on);
            }
        }
        if s.remote_ok {
            self.remote_ok.set(slot, on);
        }
        if s.discoverable {
            self.discoverable.set(slot, on);
        }
        for &c in s.cities() {
            let c = c as usize;
            if c >= self.cities.len() {
                self.cities.resize(c + 1, Bits::default());
            }
            self.cities[c].set(slot, on);
        }
    }

    fn bytes(&self) -> usize {
        self.kinds.iter().map(Bits::bytes).sum::<usize>()
            + self.degree_at_least.iter().map(Bits::bytes).sum::<usize>()
            + self.remote_ok.bytes()
            + self.discoverable.bytes()
            + self.cities.iter().map(|b| b.bytes() + std::mem::size_of::<Bits>()).sum::<usize>()
    }
}

/// A skill vector entry: `skill << 6 | declared << 3 | level`, where
/// `level` is the effective level (through descendants too) and `declared`
/// the level the student declared for the skill itself, 0 if none. Sorting
/// entries sorts by skill.
fn pack(skill: SkillId, level: u8) -> u32 {
    (skill.0 << 6) | u32::from(level)
}

fn entry_skill(e: u32) -> u32 {
    e >> 6
}

fn entry_level(e: u32) -> u8 {
    (e & 7) as u8
}

fn declared_level(e: u32) -> u8 {
    ((e >> 3) & 7) as u8
}

fn lookup(skills: &[u32], skill: u32) -> u8 {
    let i = skills.partition_point(|&e| entry_skill(e) < skill);
    match skills.get(i) {
        Some(&e) if entry_skill(e) == skill => entry_level(e),
        _ => 0,
    }
}

fn kind_bit(kind: OfferKind) -> u8 {
    match kind {
        OfferKind::Internship => 1,
        OfferKind::WorkStudy => 2,
    }
}

fn degree_rank(level: Option<DegreeLevel>) -> u8 {
    level.and_then(|d| DegreeLevel::ALL.iter().position(|x| *x == d)).map_or(0, |p| p as u8 + 1)
}

/// Requirements normalised, required ones first so a failing candidate is
/// dropped before its preferred skills are read.
fn reqs_of(offer: &OfferProfile) -> Vec<Req> {
    let mut reqs: Vec<Req> = offer
        .requirements
        .iter()
        .map(|r| Req { skill: r.skill.0, m: r.level(), w: r.weight(), required: r.required })
        .collect();
    reqs.sort_by_key(|r| !r.required);
    reqs
}

/// Earned credit and preferred requirements met, or `None` when a required
/// skill is below its minimum.
fn score(skills: &[u32], reqs: &[Req]) -> Option<(u32, u32)> {
    let mut earned = 0;
    let mut preferred = 0;
    for r in reqs {
        let l = lookup(skills, r.skill);
        if r.required {
            if l < r.m {
                return None;
            }
            earned += u32::from(r.w) * CREDIT_UNIT;
        } else if l > 0 {
            earned += credit_units(l, r.m, r.w);
            preferred += u32::from(l >= r.m);
        }
    }
    Some((earned, preferred))
}

/// Whether the pair passes every hard filter of the student's own view but
/// the skills: the ones [`MatchIndex::result`] checks besides them, without
/// building the result.
fn passes_all_but_skills(s: &StudentSlot, o: &OfferSlot, today: NaiveDate) -> bool {
    let p = &o.profile;
    p.status == OfferStatus::Open
        && p.deadline.is_none_or(|d| d >= today)
        && s.kinds & o.kind != 0
        && available(s.from, s.until, p.start_date)
        && s.degree >= o.min_degree
        && (s.cities().contains(&o.city) || (p.work_mode == WorkMode::Remote && s.remote_ok))
}

/// The offer side of a candidate query, resolved once.
struct OfferQuery<'a> {
    offer: &'a OfferSlot,
    applicants: Option<&'a HashSet<i64>>,
    remote: bool,
    reqs: &'a [Req],
    /// Students passing the offer's filters, when worth building.
    pass: Option<Bits>,
}

impl OfferQuery<'_> {
    /// Whether the slot may pass the filters: false only when it surely fails.
    fn may_pass(&self, slot: u32) -> bool {
        self.pass.as_ref().is_none_or(|p| p.get(slot))
    }

    /// Hard filters on the student side, skills excluded.
    fn admits(&self, s: &StudentSlot) -> bool {
        let o = self.offer;
        s.kinds & o.kind != 0
            && s.degree >= o.min_degree
            && (s.discoverable || self.applicants.is_some_and(|a| a.contains(&s.id)))
            && available(s.from, s.until, o.profile.start_date)
            && ((self.remote && s.remote_ok) || s.cities().contains(&o.city))
    }
}

/// Students being added in bulk (see [`MatchIndex::bulk_students`]); the
/// index is whole again, postings laid out, when this is dropped.
pub struct BulkStudents<'a> {
    index: &'a mut MatchIndex,
    scratch: Scratch,
}

/// Buffers reused from one student to the next while placing them.
#[derive(Debug, Default)]
struct Scratch {
    declared: Vec<(SkillId, u8)>,
    skills: Vec<u32>,
    unknown: Vec<u32>,
    cities: Vec<u32>,
    /// City names as given, to their interned id.
    seen_cities: HashMap<String, u32>,
}

impl BulkStudents<'_> {
    /// Adds a student or replaces the one with the same id.
    pub fn upsert(&mut self, student: &StudentProfile) {
        self.index.place_student(student, false, &mut self.scratch);
    }
}

impl Drop for BulkStudents<'_> {
    fn drop(&mut self) {
        self.index.rebuild_postings();
    }
}

/// In-memory matching index over students and offers.
#[derive(Debug, Clone, Default)]
pub struct MatchIndex {
    taxonomy: Taxonomy,
    students: Vec<Option<StudentSlot>>,
    student_free: Vec<u32>,
    student_slots: SlotMap,
    /// Per skill, per level − 1: slots of the students holding it at that level.
    postings: Vec<[Posting; LEVELS]>,
    offers: Vec<Option<OfferSlot>>,
    offer_free: Vec<u32>,
    offer_slots: HashMap<i64, u32>,
    /// Per skill: slots of the offers anchored on it.
    offers_by_anchor: Vec<Vec<Anchored>>,
    offers_unanchored: Vec<Anchored>,
    cities: HashMap<String, u32>,
    /// Offer id → ids of the students who applied.
    applications: HashMap<i64, HashSet<i64>>,
    filter_bits: FilterBits,
    /// Largest driver posting list scanned directly; 0 means the default.
    driver_scan_limit: usize,
}

impl MatchIndex {
    /// An empty index over the given taxonomy.
    pub fn new(taxonomy: Taxonomy) -> Self {
        let n = taxonomy.len();
        Self {
            taxonomy,
            postings: vec![Default::default(); n],
            offers_by_anchor: vec![Vec::new(); n],
            ..Self::default()
        }
    }

    fn driver_scan_limit(&self) -> usize {
        match self.driver_scan_limit {
            0 => DRIVER_SCAN_LIMIT,
            n => n,
        }
    }

    fn eligible_scan_limit(&self) -> usize {
        match self.driver_scan_limit {
            0 => ELIGIBLE_SCAN_LIMIT,
            n => n,
        }
    }

    /// Changes the size below which a required skill's postings, or the
    /// students eligible but for availability, are scanned directly instead
    /// of walking the preferred lists with a bound (0: the defaults); every
    /// choice gives the same answer, only the speed differs.
    pub fn set_driver_scan_limit(&mut self, limit: usize) {
        self.driver_scan_limit = limit;
    }

    /// The taxonomy in use.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// Number of students indexed.
    pub fn students_len(&self) -> usize {
        self.student_slots.len()
    }

    /// Number of offers indexed, whatever their status.
    pub fn offers_len(&self) -> usize {
        self.offer_slots.len()
    }

    fn intern_city(&mut self, city: &str) -> u32 {
        let key = normalise_city(city);
        let next = self.cities.len() as u32;
        *self.cities.entry(key).or_insert(next)
    }

    /// Into `scratch.skills`, the effective skill entries of
    /// `scratch.declared` (levels clamped), and into `scratch.unknown` the
    /// declared skills the taxonomy does not know.
    fn expand(&self, scratch: &mut Scratch) {
        let Scratch { declared, skills, unknown, .. } = scratch;
        skills.clear();
        unknown.clear();
        for &(skill, level) in declared.iter() {
            if !self.taxonomy.contains(skill) {
                unknown.push(pack(skill, level));
                continue;
            }
            skills.push(pack(skill, level) | (u32::from(level) << 3));
            skills.extend(self.taxonomy.ancestors(skill).iter().map(|&a| pack(a, level)));
        }
        // Plain integers sort faster than pairs, and sorted, the entries of
        // a skill are adjacent: each run becomes one entry at its highest
        // effective and declared levels.
        skills.sort_unstable();
        let mut kept = 0usize;
        for i in 0..skills.len() {
            let e = skills[i];
            match kept.checked_sub(1).map(|k| skills[k]) {
                Some(last) if entry_skill(last) == entry_skill(e) => {
                    let level = entry_level(last).max(entry_level(e));
                    let declared = declared_level(last).max(declared_level(e));
                    skills[kept - 1] = (entry_skill(e) << 6) | (u32::from(declared) << 3) | u32::from(level);
                }
                _ => {
                    skills[kept] = e;
                    kept += 1;
                }
            }
        }
        skills.truncate(kept);
        unknown.sort_unstable();
        unknown.dedup();
    }

    fn post(&mut self, slot: u32, skills: &[u32]) {
        for &e in skills {
            if let Some(lists) = self.postings.get_mut(entry_skill(e) as usize) {
                lists[usize::from(entry_level(e)) - 1].push(slot);
            }
        }
    }

    fn unpost(&mut self, slot: u32, skills: &[u32]) {
        for &e in skills {
            if let Some(lists) = self.postings.get_mut(entry_skill(e) as usize) {
                lists[usize::from(entry_level(e)) - 1].remove(slot);
            }
        }
    }

    /// Adds a student or replaces the one with the same id.
    pub fn upsert_student(&mut self, student: &StudentProfile) {
        self.place_student(student, true, &mut Scratch::default());
    }

    /// Adds or replaces many students at once, typically the whole
    /// population at start-up: the posting lists are laid out once, after
    /// the last student, each at its exact size and in slot order, rather
    /// than grown (and their spare room left to the allocator) one student
    /// at a time.
    pub fn extend_students<S: std::borrow::Borrow<StudentProfile>>(&mut self, students: impl IntoIterator<Item = S>) {
        let students = students.into_iter();
        let mut bulk = self.bulk_students(students.size_hint().0);
        for s in students {
            bulk.upsert(s.borrow());
        }
    }

    /// [`Self::extend_students`] for a caller that produces the students
    /// itself (a load from the database in chunks, say): the postings are
    /// laid out when the returned guard is dropped. `expected` students are
    /// reserved room for.
    pub fn bulk_students(&mut self, expected: usize) -> BulkStudents<'_> {
        self.students.reserve_exact(expected);
        self.student_slots.reserve(expected);
        BulkStudents { index: self, scratch: Scratch::default() }
    }

    /// Every student's postings again from their slots: a count per list,
    /// then one fill in slot order.
    fn rebuild_postings(&mut self) {
        let n = self.taxonomy.len();
        let mut counts = vec![[0u32; LEVELS]; n];
        for s in self.students.iter().flatten() {
            for &e in s.skills() {
                if let Some(c) = counts.get_mut(entry_skill(e) as usize) {
                    c[usize::from(entry_level(e)) - 1] += 1;
                }
            }
        }
        let slots = self.students.len();
        self.postings =
            counts.iter().map(|c| std::array::from_fn(|l| Posting::with_room(c[l] as usize, slots))).collect();
        for (slot, s) in self.students.iter().enumerate() {
            let Some(s) = s else { continue };
            for &e in s.skills() {
                if let Some(lists) = self.postings.get_mut(entry_skill(e) as usize) {
                    lists[usize::from(entry_level(e)) - 1].push(slot as u32);
                }
            }
        }
    }

    fn place_student(&mut self, student: &StudentProfile, post: bool, scratch: &mut Scratch) {
        // Levels are clamped before packing so the three level bits suffice.
        scratch.declared.clear();
        scratch.declared.extend(
            student
                .skills
                .iter()
                .filter(|(s, _)| s.index() < super::taxonomy::MAX_SKILLS)
                .filter_map(|&(s, l)| super::rules::clamp_level(l).map(|l| (s, l))),
        );
        self.expand(scratch);
        scratch.cities.clear();
        for city in &student.cities {
            // Names repeat from one student to the next: each is normalised once.
            let id = match scratch.seen_cities.get(city.as_str()) {
                Some(&id) => id,
                None => {
                    let id = self.intern_city(city);
                    scratch.seen_cities.insert(city.clone(), id);
                    id
                }
            };
            scratch.cities.push(id);
        }
        scratch.cities.sort_unstable();
        scratch.cities.dedup();
        let (data, skills_len, unknown_len) = student_data(&scratch.skills, &scratch.unknown, &scratch.cities);
        let slot_value = StudentSlot {
            id: student.id,
            data,
            skills_len,
            unknown_len,
            from: student.available_from,
            until: student.available_until,
            kinds: student.wanted_kinds.iter().fold(0, |m, k| m | kind_bit(*k)),
            degree: degree_rank(student.degree_level),
            remote_ok: student.remote_ok,
            discoverable: student.discoverable,
        };
        let slot = match self.student_slots.get(student.id) {
            Some(slot) => {
                if let Some(old) = self.students[slot as usize].take() {
                    if post {
                        self.unpost(slot, old.skills());
                    }
                    self.filter_bits.mark(slot, &old, false);
                }
                slot
            }
            None => {
                let slot = match self.student_free.pop() {
                    Some(slot) => slot,
                    None => {
                        self.students.push(None);
                        (self.students.len() - 1) as u32
                    }
                };
                self.student_slots.insert(student.id, slot);
                slot
            }
        };
        if post {
            self.post(slot, slot_value.skills());
        }
        self.filter_bits.mark(slot, &slot_value, true);
        self.students[slot as usize] = Some(slot_value);
    }

    /// Removes a student; returns whether it was there. Applications stay
    /// recorded by id and apply again if the student comes back.
    pub fn remove_student(&mut self, student_id: i64) -> bool {
        let Some(slot) = self.student_slots.remove(student_id) else {
            return false;
        };
        if let Some(old) = self.students[slot as usize].take() {
            self.unpost(slot, old.skills());
            self.filter_bits.mark(slot, &old, false);
        }
        self.student_free.push(slot);
        true
    }

    /// Posting-list length of a skill at levels `min_level..=5`.
    fn prefix_len(&self, skill: u32, min_level: u8) -> usize {
        self.postings
            .get(skill as usize)
            .map_or(0, |lists| lists[usize::from(min_level.max(1)) - 1..].iter().map(Posting::len).sum())
    }

    fn anchor_offer(&mut self, slot: u32) {
        let Some(o) = self.offers[slot as usize].as_ref() else {
            return;
        };
        let required = o.reqs.iter().filter(|r| r.required);
        let unreachable = required.clone().any(|r| r.skill as usize >= self.taxonomy.len());
        // The rarest required skill keeps the lists read per student short.
        let anchor = required.min_by_key(|r| (self.prefix_len(r.skill, r.m), r.skill)).copied();
        if !unreachable {
            match anchor {
                Some(a) => self.offers_by_anchor[a.skill as usize].push(Anchored { slot, min_level: a.m }),
                None => self.offers_unanchored.push(Anchored { slot, min_level: 0 }),
            }
        }
        if let Some(o) = self.offers[slot as usize].as_mut() {
            o.anchor = anchor.map(|a| SkillId(a.skill));
            o.unreachable = unreachable;
        }
    }

    fn unanchor_offer(&mut self, slot: u32) {
        let Some(o) = self.offers[slot as usize].as_ref() else {
            return;
        };
        if o.unreachable {
            return;
        }
        let list = match o.anchor {
            Some(a) => &mut self.offers_by_anchor[a.index()],
            None => &mut self.offers_unanchored,
        };
        if let Some(p) = list.iter().position(|x| x.slot == slot) {
            list.swap_remove(p);
        }
    }

    /// Adds an offer or replaces the one with the same id.
    pub fn upsert_offer(&mut self, offer: &OfferProfile) {
        let city = self.intern_city(&offer.city);
        let total = offer.requirements.iter().map(|r| u32::from(r.weight()) * CREDIT_UNIT).sum();
        let value = OfferSlot {
            profile: offer.clone(),
            city,
            kind: kind_bit(offer.kind),
            min_degree: degree_rank(offer.min_degree_level),
            anchor: None,
            unreachable: false,
            total,
            reqs: reqs_of(offer).into(),
        };
        let slot = match self.offer_slots.get(&offer.id) {
            Some(&slot) => {
                self.unanchor_offer(slot);
                slot
            }
            None => {
                let slot = match self.offer_free.pop() {
                    Some(slot) => slot,
                    None => {
                        self.offers.push(None);
                        (self.offers.len() - 1) as u32
                    }
                };
                self.offer_slots.insert(offer.id, slot);
                slot
            }
        };
        self.offers[slot as usize] = Some(value);
        self.anchor_offer(slot);
    }

    /// Removes an offer and its applications; returns whether it was there.
    pub fn remove_offer(&mut self, offer_id: i64) -> bool {
        let Some(slot) = self.offer_slots.remove(&offer_id) else {
            return false;
        };
        self.unanchor_offer(slot);
        self.offers[slot as usize] = None;
        self.offer_free.push(slot);
        self.applications.remove(&offer_id);
        true
    }

    /// Records that a student applied to an offer: the recruiter then sees
    /// the student even when not discoverable.
    pub fn add_application(&mut self, student_id: i64, offer_id: i64) {
        self.applications.entry(offer_id).or_default().insert(student_id);
    }

    /// Forgets an application (withdrawn); returns whether it was recorded.
    pub fn remove_application(&mut self, student_id: i64, offer_id: i64) -> bool {
        self.applications.get_mut(&offer_id).is_some_and(|a| a.remove(&student_id))
    }

    /// Switches to a new taxonomy and re-expands every student's skills.
    pub fn replace_taxonomy(&mut self, taxonomy: Taxonomy) {
        let n = taxonomy.len();
        self.taxonomy = taxonomy;
        let mut scratch = Scratch::default();
        for slot in 0..self.students.len() {
            let Some(old) = self.students[slot].as_ref() else {
                continue;
            };
            scratch.declared = old.declared();
            self.expand(&mut scratch);
            let (data, skills_len, unknown_len) = student_data(&scratch.skills, &scratch.unknown, old.cities());
            if let Some(s) = self.students[slot].as_mut() {
                s.data = data;
                s.skills_len = skills_len;
                s.unknown_len = unknown_len;
            }
        }
        self.rebuild_postings();
        self.offers_by_anchor = vec![Vec::new(); n];
        self.offers_unanchored.clear();
        for slot in 0..self.offers.len() {
            self.anchor_offer(slot as u32);
        }
    }

    /// Gives back the spare capacity left by growing lists, typically after
    /// a bulk load.
    pub fn shrink_to_fit(&mut self) {
        self.students.shrink_to_fit();
        self.student_slots.shrink_to_fit();
        for lists in &mut self.postings {
            for list in lists.iter_mut() {
                list.shrink_to_fit();
            }
        }
        for list in &mut self.offers_by_anchor {
            list.shrink_to_fit();
        }
        self.offers.shrink_to_fit();
    }

    /// Rough heap and inline size of the index in bytes.
    pub fn approx_memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let map_entry = |k: usize, v: usize| k + v + 1;
        let mut bytes = size_of::<Self>() + self.taxonomy.approx_memory_bytes();
        bytes += self.students.capacity() * size_of::<Option<StudentSlot>>();
        for s in self.students.iter().flatten() {
            bytes += s.data.len() * 4;
        }
        bytes += self.student_free.capacity() * 4;
        bytes += self.student_slots.bytes();
        for lists in &self.postings {
            bytes += size_of::<[Posting; LEVELS]>();
            bytes += lists.iter().map(Posting::bytes).sum::<usize>();
        }
        bytes += self.filter_bits.bytes();
        bytes += self.offers.capacity() * size_of::<Option<OfferSlot>>();
        for o in self.offers.iter().flatten() {
            bytes += o.profile.requirements.capacity() * size_of::<super::Requirement>()
                + o.reqs.len() * size_of::<Req>()
                + o.profile.city.capacity();
        }
        bytes += self.offer_slots.capacity() * map_entry(8, 4);
        bytes += self
            .offers_by_anchor
            .iter()
            .map(|l| size_of::<Vec<Anchored>>() + l.capacity() * size_of::<Anchored>())
            .sum::<usize>();
        bytes += self.cities.keys().map(|k| k.capacity() + size_of::<String>() + 5).sum::<usize>();
        bytes += self
            .applications
            .values()
            .map(|a| size_of::<HashSet<i64>>() + 16 + a.capacity() * map_entry(8, 0))
            .sum::<usize>();
        bytes
    }

    fn student(&self, id: i64) -> Option<&StudentSlot> {
        let slot = self.student_slots.get(id)?;
        self.students.get(slot as usize)?.as_ref()
    }

    fn offer(&self, id: i64) -> Option<&OfferSlot> {
        let slot = *self.offer_slots.get(&id)?;
        self.offers.get(slot as usize)?.as_ref()
    }

    fn applied(&self, student_id: i64, offer_id: i64) -> bool {
        self.applications.get(&offer_id).is_some_and(|a| a.contains(&student_id))
    }

    fn result(&self, s: &StudentSlot, o: &OfferSlot, today: NaiveDate, recruiter_view: bool) -> MatchResult {
        let p = &o.profile;
        let mut failed = Vec::new();
        offer_filters(p.status, p.deadline, today, &mut failed);
        if s.kinds & o.kind == 0 {
            failed.push(HardFilter::KindNotWanted);
        }
        if !available(s.from, s.until, p.start_date) {
            failed.push(HardFilter::NotAvailable);
        }
        if s.degree < o.min_degree {
            failed.push(HardFilter::DegreeTooLow);
        }
        if !(s.cities().contains(&o.city) || (p.work_mode == WorkMode::Remote && s.remote_ok)) {
            failed.push(HardFilter::CityNotAcceptable);
        }
        if recruiter_view && !s.discoverable && !self.applied(s.id, p.id) {
            failed.push(HardFilter::NotDiscoverable);
        }
        evaluate(s.id, p.id, &p.requirements, |skill| lookup(s.skills(), skill.0), failed)
    }

    /// The full result of a pair, eligible or not: the gap view of a student
    /// looking at an offer, or a recruiter's look at one candidate. `None`
    /// when either id is unknown.
    pub fn explain(
        &self,
        student_id: i64,
        offer_id: i64,
        today: NaiveDate,
        recruiter_view: bool,
    ) -> Option<MatchResult> {
        let s = self.student(student_id)?;
        let o = self.offer(offer_id)?;
        Some(self.result(s, o, today, recruiter_view))
    }

    /// The student's near misses (see [`super::near_miss`]), best first, at
    /// most `limit`. A scan of the open offers: a near miss lacks a required
    /// skill, so the anchor lists that make eligible offers quick to find do
    /// not narrow it. Most offers fail a filter or are far from the student's
    /// skills; those are dropped from the slot and a lookup of each required
    /// skill, and only the rest get the full result that decides.
    pub fn near_misses_for_student(&self, student_id: i64, limit: usize, today: NaiveDate) -> Vec<NearMiss> {
        self.near_misses_of_kind(student_id, None, limit, today)
    }

    /// [`Self::near_misses_for_student`] among the offers of one kind, or of every kind.
    pub fn near_misses_of_kind(
        &self,
        student_id: i64,
        kind: Option<OfferKind>,
        limit: usize,
        today: NaiveDate,
    ) -> Vec<NearMiss> {
        let Some(s) = self.student(student_id) else {
            return Vec::new();
        };
        let wanted = kind.map_or(u8::MAX, kind_bit);
        let skills = s.skills();
        let mut found: Vec<NearMiss> = self
            .offers
            .iter()
            .flatten()
            // Any filter failing besides skills: never a near miss.
            .filter(|o| o.kind & wanted != 0 && passes_all_but_skills(s, o, today))
            .filter(|o| {
                let required = o.profile.requirements.iter().filter(|r| r.required);
                within_reach(required.map(|r| (lookup(skills, r.skill.0).min(5), r.level())))
            })
            .filter_map(|o| near_miss(&self.result(s, o, today, false)))
            .collect();
        found.sort_by(near_miss::rank);
        found.truncate(limit);
        found
    }

    /// The best `limit` offers the student is eligible for, optionally of one
    /// kind, best first. Empty for an unknown student.
    pub fn top_offers_for_student(
        &self,
        student_id: i64,
        kind: Option<OfferKind>,
        limit: usize,
        today: NaiveDate,
    ) -> Vec<MatchResult> {
        let Some(s) = self.student(student_id) else {
            return Vec::new();
        };
        if limit == 0 {
            return Vec::new();
        }
        let wanted = s.kinds & kind.map_or(u8::MAX, kind_bit);
        let mut top = TopK::new(limit);
        let anchored = s.skills().iter().filter_map(|&e| {
            self.offers_by_anchor.get(entry_skill(e) as usize).map(|l| (entry_level(e), l.as_slice()))
        });
        for (level, list) in anchored.chain(std::iter::once((u8::MAX, self.offers_unanchored.as_slice()))) {
            for &Anchored { slot, min_level } in list {
                if level < min_level {
                    continue;
                }
                let Some(o) = self.offers.get(slot as usize).and_then(Option::as_ref) else {
                    continue;
                };
                let p = &o.profile;
                if o.kind & wanted == 0
                    || p.status != OfferStatus::Open
                    || p.deadline.is_some_and(|d| d < today)
                    || s.degree < o.min_degree
                    || !available(s.from, s.until, p.start_date)
                    || !((p.work_mode == WorkMode::Remote && s.remote_ok) || s.cities().contains(&o.city))
                {
                    continue;
                }
                let Some((earned, preferred_met)) = score(s.skills(), &o.reqs) else {
                    continue;
                };
                let key = RankKey { earned, total: o.total, preferred_met, id: p.id };
                top.push(key, slot);
            }
        }
        top.into_sorted()
            .into_iter()
            .filter_map(|(_, slot)| self.offers[slot as usize].as_ref())
            .map(|o| self.result(s, o, today, false))
            .collect()
    }

    /// The best `limit` students eligible for the offer in the recruiter's
    /// view (discoverable or applied), best first. Empty for an unknown offer
    /// and for an offer that is not open or past its deadline.
    pub fn top_candidates_for_offer(&self, offer_id: i64, limit: usize, today: NaiveDate) -> Vec<MatchResult> {
        let Some(o) = self.offer(offer_id) else {
            return Vec::new();
        };
        let p = &o.profile;
        if limit == 0 || p.status != OfferStatus::Open || p.deadline.is_some_and(|d| d < today) {
            return Vec::new();
        }
        let q = OfferQuery {
            offer: o,
            applicants: self.applications.get(&p.id),
            remote: p.work_mode == WorkMode::Remote,
            reqs: &o.reqs,
            pass: None,
        };
        let mut q = q;
        let top = self.rank_candidates(&mut q, limit);
        top.into_sorted()
            .into_iter()
            .filter_map(|(_, slot)| self.students[slot as usize].as_ref())
            .map(|s| self.result(s, o, today, true))
            .collect()
    }

    /// The students of `among` eligible for an open offer, best first, from
    /// one pass of the candidate ranking. They are admitted whatever their
    /// consent to recruiters' rankings, as applicants are: they asked to hear
    /// of offers (alerts), which recruiters never see. Only their results are
    /// built.
    pub fn eligible_among(&self, offer_id: i64, among: &HashSet<i64>, today: NaiveDate) -> Vec<MatchResult> {
        let Some(o) = self.offer(offer_id) else {
            return Vec::new();
        };
        let p = &o.profile;
        if among.is_empty() || p.status != OfferStatus::Open || p.deadline.is_some_and(|d| d < today) {
            return Vec::new();
        }
        let mut q = OfferQuery {
            offer: o,
            applicants: Some(among),
            remote: p.work_mode == WorkMode::Remote,
            reqs: &o.reqs,
            pass: None,
        };
        // Discoverable students outside `among` rank too, so no limit may cut `among` short.
        let top = self.rank_candidates(&mut q, usize::MAX);
        top.into_sorted()
            .into_iter()
            .filter_map(|(_, slot)| self.students[slot as usize].as_ref())
            .filter(|s| among.contains(&s.id))
            .map(|s| self.result(s, o, today, false))
            .collect()
    }

    /// Students passing every filter of the offer but availability, which
    /// is read from the slot.
    fn pass_bits(&self, q: &OfferQuery<'_>) -> Bits {
        let f = &self.filter_bits;
        let o = q.offer;
        let words = self.students.len().div_ceil(64);
        let kind = &f.kinds[usize::from(o.kind.trailing_zeros() as u8).min(1)];
        let degree = (o.min_degree > 0).then(|| &f.degree_at_least[usize::from(o.min_degree) - 1]);
        let city = f.cities.get(o.city as usize);
        let remote = q.remote.then_some(&f.remote_ok);
        let mut open = Vec::with_capacity(words);
        let mut pass = Vec::with_capacity(words);
        for w in 0..words {
            let mut x = kind.word(w);
            if let Some(d) = degree {
                x &= d.word(w);
            }
            x &= city.map_or(0, |c| c.word(w)) | remote.map_or(0, |r| r.word(w));
            open.push(x);
            pass.push(x & f.discoverable.word(w));
        }
        let (open, mut pass) = (Bits(open), Bits(pass));
        for &id in q.applicants.into_iter().flatten() {
            if let Some(slot) = self.student_slots.get(id) {
                if open.get(slot) {
                    pass.set(slot, true);
                }
            }
        }
        pass
    }

    /// The bitset of students holding `skill` at `min_level` or above.
    fn prefix_bits(&self, skill: u32, min_level: u8) -> Bits {
        let mut bits = Bits(vec![0; self.students.len().div_ceil(64)]);
        if let Some(lists) = self.postings.get(skill as usize) {
            for list in &lists[usize::from(min_level.max(1)) - 1..] {
                list.set_in(&mut bits);
            }
        }
        bits
    }

    fn rank_candidates(&self, q: &mut OfferQuery<'_>, limit: usize) -> TopK<u32> {
        let required: Vec<Req> = q.reqs.iter().filter(|r| r.required).copied().collect();
        let driver =
            required.iter().map(|r| (self.prefix_len(r.skill, r.m), *r)).min_by_key(|(len, r)| (*len, r.skill));
        let has_preferred = q.reqs.iter().any(|r| !r.required);
        let n = self.students.len();
        if let Some((len, r)) = driver {
            if len <= self.driver_scan_limit() || !has_preferred {
                // The combined filter bitset costs a pass over a few words
                // per 64 students, all read in order; without it every
                // posting costs a read of the student's slot and skill
                // vector (two cache misses at scale), which it spares for
                // the students failing a filter (most). So it pays off once
                // the postings number a fraction of the words.
                if len >= n / 512 {
                    q.pass = Some(self.pass_bits(q));
                }
                return self.scan_postings(q, limit, r);
            }
        }
        // Many students hold every required skill: narrow them down to the
        // eligible ones (availability aside) word by word first.
        let mut eligible = self.pass_bits(q);
        for r in &required {
            let held = self.prefix_bits(r.skill, r.m);
            for (w, word) in eligible.0.iter_mut().enumerate() {
                *word &= held.word(w);
            }
        }
        let count: usize = eligible.0.iter().map(|w| w.count_ones() as usize).sum();
        q.pass = Some(eligible);
        let q = &*q;
        if !has_preferred || count <= self.eligible_scan_limit() {
            return self.scan_bits(q, limit);
        }
        let base: u32 = required.iter().map(|r| u32::from(r.w) * CREDIT_UNIT).sum();
        let top = self.bounded_walk(q, limit, base);
        // Students holding no preferred skill were never visited; they score
        // `base` and matter only if the selection is short or ties there.
        match top.threshold() {
            Some(worst) if worst.earned > base => top,
            _ => self.scan_bits(q, limit),
        }
    }

    fn consider(&self, q: &OfferQuery<'_>, top: &mut TopK<u32>, slot: u32, s: &StudentSlot) {
        if !q.may_pass(slot) || !q.admits(s) {
            return;
        }
        if let Some((earned, preferred_met)) = score(s.skills(), q.reqs) {
            let key = RankKey { earned, total: q.offer.total, preferred_met, id: s.id };
            top.push(key, slot);
        }
    }

    /// Scans the postings of `driver` at or above its minimum level.
    fn scan_postings(&self, q: &OfferQuery<'_>, limit: usize, driver: Req) -> TopK<u32> {
        let mut top = TopK::new(limit);
        let Some(lists) = self.postings.get(driver.skill as usize) else {
            return top;
        };
        for list in lists[usize::from(driver.m) - 1..].iter().rev() {
            for slot in list.iter(q.pass.as_ref()) {
                if let Some(s) = self.students[slot as usize].as_ref() {
                    self.consider(q, &mut top, slot, s);
                }
            }
        }
        top
    }

    /// Scans the students whose bit is set in the query's pass bitset.
    fn scan_bits(&self, q: &OfferQuery<'_>, limit: usize) -> TopK<u32> {
        let mut top = TopK::new(limit);
        let Some(pass) = q.pass.as_ref() else {
            return top;
        };
        for (w, &word) in pass.0.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let slot = (w * 64) as u32 + bits.trailing_zeros();
                bits &= bits - 1;
                if let Some(s) = self.students.get(slot as usize).and_then(Option::as_ref) {
                    self.consider(q, &mut top, slot, s);
                }
            }
        }
        top
    }

    /// MaxScore over the preferred posting lists. Once the selection is
    /// full, lists whose best credits together cannot lift a student from
    /// `base` to the worst score kept are left unwalked, the longest first:
    /// a student held by none of the others cannot enter. Of the lists left
    /// to walk, the rarest goes first.
    fn bounded_walk(&self, q: &OfferQuery<'_>, limit: usize, base: u32) -> TopK<u32> {
        let mut top = TopK::new(limit);
        // (postings, requirement, most credit a holder earns from it)
        let mut lists: Vec<(usize, Req, u32)> = q
            .reqs
            .iter()
            .filter(|r| !r.required)
            .map(|r| {
                let (len, best) = self.postings.get(r.skill as usize).map_or((0, 0), |ls| {
                    let len = ls.iter().map(Posting::len).sum();
                    let best = (1..=LEVELS as u8)
                        .rev()
                        .find(|&l| !ls[usize::from(l) - 1].is_empty())
                        .map_or(0, |l| credit_units(l, r.m, r.w));
                    (len, best)
                });
                (len, *r, best)
            })
            .collect();
        lists.sort_by_key(|(len, r, _)| (*len, r.skill));
        let mut walked: Vec<u32> = Vec::with_capacity(lists.len());
        let mut skipped = Vec::with_capacity(lists.len());
        loop {
            skipped.clear();
            skipped.resize(lists.len(), false);
            if let Some(t) = top.threshold() {
                let mut reach = base;
                for (i, l) in lists.iter().enumerate().rev() {
                    if reach + l.2 < t.earned {
                        reach += l.2;
                        skipped[i] = true;
                    }
                }
            }
            let Some(j) = skipped.iter().position(|&s| !s) else {
                break;
            };
            let (_, r, _) = lists.remove(j);
            // What the lists not walked yet may add besides this one.
            let rest: u32 = lists.iter().map(|l| l.2).sum();
            if let Some(levels) = self.postings.get(r.skill as usize) {
                for l in (1..=LEVELS as u8).rev() {
                    let bound = base + credit_units(l, r.m, r.w) + rest;
                    if top.threshold().is_some_and(|t| bound < t.earned) {
                        break;
                    }
                    for slot in levels[usize::from(l) - 1].iter(q.pass.as_ref()) {
                        let Some(s) = self.students[slot as usize].as_ref() else {
                            continue;
                        };
                        // Already scored from a list walked before, or cut
                        // there by a bound that only got tighter since.
                        if walked.iter().any(|&e| lookup(s.skills(), e) > 0) {
                            continue;
                        }
                        self.consider(q, &mut top, slot, s);
                    }
                }
            }
            walked.push(r.skill);
        }
        top
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::brute_force::BruteForce;
    use crate::matching::near_miss::SkillGap;
    use crate::matching::rules::Requirement;
    use crate::matching::synthetic::{generate, SyntheticConfig};
    use proptest::prelude::*;
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 9, 1).unwrap()
    }

    fn student(id: i64, skills: &[(u32, u8)]) -> StudentProfile {
        StudentProfile {
            id,
            skills: skills.iter().map(|&(s, l)| (SkillId(s), l)).collect(),
            wanted_kinds: vec![OfferKind::Internship, OfferKind::WorkStudy],
            available_from: None,
            available_until: None,
            cities: vec!["Rabat".into()],
            remote_ok: false,
            degree_level: Some(DegreeLevel::Bac5),
            discoverable: true,
        }
    }

    fn offer(id: i64, reqs: &[(u32, u8, u8, bool)]) -> OfferProfile {
        OfferProfile {
            id,
            kind: OfferKind::Internship,
            status: OfferStatus::Open,
            deadline: None,
            start_date: None,
            city: "RABAT".into(),
            work_mode: WorkMode::OnSite,
            min_degree_level: None,
            requirements: reqs
                .iter()
                .map(|&(skill, min_level, weight, required)| Requirement {
                    skill: SkillId(skill),
                    min_level,
                    weight,
                    required,
                })
                .collect(),
        }
    }

    fn ids(results: &[MatchResult], student_side: bool) -> Vec<i64> {
        results.iter().map(|r| if student_side { r.student_id } else { r.offer_id }).collect()
    }

    #[test]
    fn candidates_tie_on_preferred_met_then_id() {
        let mut index = MatchIndex::new(Taxonomy::flat(4).unwrap());
        // Requirements: 0 required (w 2), 1 preferred at 2 (w 1), 2 preferred at 4 (w 2).
        index.upsert_offer(&offer(1, &[(0, 1, 2, true), (1, 2, 1, false), (2, 4, 2, false)]));
        // 7 and 5 score (2 + 1 + 0) / 5; 3 scores (2 + 0.5 + 0.5) / 5 with no
        // preferred met; 9 holds everything.
        index.upsert_student(&student(7, &[(0, 1), (1, 2)]));
        index.upsert_student(&student(5, &[(0, 3), (1, 5)]));
        index.upsert_student(&student(3, &[(0, 1), (1, 1), (2, 1)]));
        index.upsert_student(&student(9, &[(0, 5), (1, 5), (2, 4)]));
        index.upsert_student(&student(8, &[(1, 5), (2, 5)]));
        let top = index.top_candidates_for_offer(1, 10, today());
        assert_eq!(ids(&top, true), vec![9, 5, 7, 3]);
        assert_eq!(top[1].score, top[3].score);
        assert_eq!(top[1].preferred_met, 1);
        assert_eq!(top[3].preferred_met, 0);
        assert_eq!(ids(&index.top_candidates_for_offer(1, 2, today()), true), vec![9, 5]);
        // The same through the bounded walk.
        index.set_driver_scan_limit(1);
        assert_eq!(ids(&index.top_candidates_for_offer(1, 10, today()), true), vec![9, 5, 7, 3]);
    }

    #[test]
    fn eligible_among_finds_exactly_the_eligible_students_asked_about() {
        let mut index = MatchIndex::new(Taxonomy::flat(4).unwrap());
        index.upsert_offer(&offer(1, &[(0, 2, 2, true), (1, 2, 2, false)]));
        index.upsert_student(&student(1, &[(0, 2), (1, 2)]));
        index.upsert_student(&StudentProfile { discoverable: false, ..student(2, &[(0, 3)]) });
        index.upsert_student(&student(3, &[(0, 1), (1, 5)]));
        index.upsert_student(&student(4, &[(0, 5), (1, 5)]));
        let among: HashSet<i64> = [1, 2, 3].into();
        let found = index.eligible_among(1, &among, today());
        // 4 is eligible but not asked about; 3 lacks the required level; 2 is not discoverable, which alerts ignore.
        assert_eq!(ids(&found, true), vec![1, 2]);
        assert!(found.iter().all(|r| r.eligible));
        assert_eq!(found[0].score, index.explain(1, 1, today(), false).unwrap().score);
        assert!(index.eligible_among(1, &HashSet::new(), today()).is_empty());
        assert!(index.eligible_among(42, &among, today()).is_empty());
    }

    #[test]
    fn eligible_among_answers_what_explaining_each_student_answers() {
        let config = SyntheticConfig {
            seed: 7,
            skills: 300,
            students: 2_000,
            offers: 100,
            today: today(),
            ..SyntheticConfig::default()
        };
        let data = generate(&config, None);
        let mut index = MatchIndex::new(Taxonomy::new(data.parents.clone()).unwrap());
        for s in &data.students {
            index.upsert_student(s);
        }
        for o in &data.offers {
            index.upsert_offer(o);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let among: HashSet<i64> = (0..300).map(|_| rng.gen_range(1..=2_000)).collect();
        let hidden: HashSet<i64> = data.students.iter().filter(|s| !s.discoverable).map(|s| s.id).collect();
        let (mut found_any, mut found_hidden) = (0, 0);
        for limit in [0, DRIVER_SCAN_LIMIT, 1, 300] {
            index.set_driver_scan_limit(limit);
            for o in &data.offers {
                let found = index.eligible_among(o.id, &among, today());
                found_any += found.len();
                found_hidden += found.iter().filter(|r| hidden.contains(&r.student_id)).count();
                let mut got: Vec<(i64, f64)> = found.iter().map(|r| (r.student_id, r.score)).collect();
                assert!(found.windows(2).all(|w| w[0].score >= w[1].score), "best first");
                got.sort_by_key(|&(id, _)| id);
                let mut want: Vec<(i64, f64)> = among
                    .iter()
                    .filter_map(|&s| index.explain(s, o.id, today(), false))
                    .filter(|r| r.eligible)
                    .map(|r| (r.student_id, r.score))
                    .collect();
                want.sort_by_key(|&(id, _)| id);
                assert_eq!(got, want, "offer {}", o.id);
            }
        }
        assert!(found_any > 0 && found_hidden > 0, "{found_any} found, {found_hidden} not discoverable");
    }

    #[test]
    fn offers_rank_by_exact_score_then_preferred_then_id() {
        let mut index = MatchIndex::new(Taxonomy::flat(3).unwrap());
        index.upsert_student(&student(1, &[(0, 3), (1, 3)]));
        index.upsert_offer(&offer(4, &[(0, 3, 1, false), (2, 1, 1, false)])); // 1/2, 1 met
        index.upsert_offer(&offer(2, &[(0, 3, 2, false), (2, 1, 2, false)])); // 2/4, 1 met
        index.upsert_offer(&offer(3, &[(1, 5, 5, false), (2, 1, 1, false)])); // 3/6, 0 met
        index.upsert_offer(&offer(9, &[(0, 1, 1, true)])); // 1
        index.upsert_offer(&offer(8, &[(2, 1, 1, true)])); // ineligible
        let top = index.top_offers_for_student(1, None, 10, today());
        assert_eq!(ids(&top, false), vec![9, 2, 4, 3]);
        assert!(top.iter().all(|r| r.eligible));
        assert!(index.top_offers_for_student(1, Some(OfferKind::WorkStudy), 10, today()).is_empty());
        assert!(index.top_offers_for_student(42, None, 10, today()).is_empty());
        assert!(index.top_candidates_for_offer(42, 10, today()).is_empty());
        assert!(index.explain(1, 42, today(), false).is_none());
    }

    #[test]
    fn the_gap_view_explains_an_ineligible_offer() {
        // 0 ML ← 1 DL ← 2 PyTorch
        let taxonomy = Taxonomy::new(vec![None, Some(SkillId(0)), Some(SkillId(1)), None]).unwrap();
        let mut index = MatchIndex::new(taxonomy);
        let mut s = student(1, &[(2, 4)]);
        s.discoverable = false;
        index.upsert_student(&s);
        let mut o = offer(1, &[(0, 3, 2, true), (3, 2, 1, true), (1, 5, 1, false)]);
        o.city = "Fès".into();
        o.deadline = NaiveDate::from_ymd_opt(2025, 8, 1);
        index.upsert_offer(&o);
        let r = index.explain(1, 1, today(), true).unwrap();
        assert!(!r.eligible);
        assert_eq!(
            r.failed_filters,
            vec![
                HardFilter::DeadlinePassed,
                HardFilter::CityNotAcceptable,
                HardFilter::NotDiscoverable,
                HardFilter::MissingRequiredSkill
            ]
        );
        assert_eq!(r.met[0].skill, SkillId(0));
        assert_eq!(r.met[0].student_level, 4);
        assert_eq!(r.partially_met[0].skill, SkillId(1));
        assert_eq!(r.missing_required[0].skill, SkillId(3));
        assert!((r.score - (2.0 + 0.8) / 4.0).abs() < 1e-12);
        // An application lifts the discoverability filter.
        index.add_application(1, 1);
        let r = index.explain(1, 1, today(), true).unwrap();
        assert!(!r.failed_filters.contains(&HardFilter::NotDiscoverable));
    }

    #[test]
    fn recruiters_see_applicants_but_not_hidden_students() {
        let mut index = MatchIndex::new(Taxonomy::flat(2).unwrap());
        index.upsert_offer(&offer(1, &[(0, 1, 1, true)]));
        let mut hidden = student(2, &[(0, 3)]);
        hidden.discoverable = false;
        index.upsert_student(&hidden);
        index.upsert_student(&student(3, &[(0, 3)]));
        assert_eq!(ids(&index.top_candidates_for_offer(1, 10, today()), true), vec![3]);
        index.add_application(2, 1);
        assert_eq!(ids(&index.top_candidates_for_offer(1, 10, today()), true), vec![2, 3]);
        assert!(index.remove_application(2, 1));
        assert_eq!(ids(&index.top_candidates_for_offer(1, 10, today()), true), vec![3]);
        // Students see offers whatever their own discoverability.
        assert_eq!(ids(&index.top_offers_for_student(2, None, 10, today()), false), vec![1]);
    }

    #[test]
    fn upserts_replace_and_removals_forget() {
        let mut index = MatchIndex::new(Taxonomy::flat(3).unwrap());
        index.upsert_offer(&offer(1, &[(0, 2, 1, true)]));
        index.upsert_student(&student(1, &[(0, 3)]));
        index.upsert_student(&student(2, &[(0, 3)]));
        index.upsert_student(&student(1, &[(1, 3)]));
        assert_eq!(index.students_len(), 2);
        assert_eq!(ids(&index.top_candidates_for_offer(1, 10, today()), true), vec![2]);
        assert!(index.remove_student(2));
        assert!(!index.remove_student(2));
        assert!(index.top_candidates_for_offer(1, 10, today()).is_empty());
        index.upsert_offer(&offer(1, &[(1, 2, 1, true)]));
        assert_eq!(index.offers_len(), 1);
        assert_eq!(ids(&index.top_candidates_for_offer(1, 10, today()), true), vec![1]);
        let mut closed = offer(1, &[(1, 2, 1, true)]);
        closed.status = OfferStatus::Closed;
        index.upsert_offer(&closed);
        assert!(index.top_candidates_for_offer(1, 10, today()).is_empty());
        assert!(index.top_offers_for_student(1, None, 10, today()).is_empty());
        assert!(index.remove_offer(1));
        assert_eq!(index.offers_len(), 0);
        assert!(index.explain(1, 1, today(), false).is_none());
    }

    #[test]
    fn slots_are_found_by_any_id() {
        let mut map = SlotMap::default();
        let ids = [0, 1, 2, 5_000, -7, i64::MAX, i64::MIN, 3, 1_500];
        for (slot, &id) in ids.iter().enumerate() {
            map.insert(id, slot as u32);
        }
        assert_eq!(map.len(), ids.len());
        for (slot, &id) in ids.iter().enumerate() {
            assert_eq!(map.get(id), Some(slot as u32), "id {id}");
        }
        assert_eq!(map.get(4), None);
        // Dense ids as a database hands them out, past the far ones.
        for id in 4..5_000 {
            map.insert(id, id as u32 + 100);
        }
        assert!(map.dense.len() > 5_000, "the far id joined the vector");
        assert_eq!(map.get(5_000), Some(3));
        assert_eq!(map.get(1_500), Some(1_600));
        assert_eq!(map.get(2_999), Some(3_099));
        map.insert(2_999, 7);
        assert_eq!(map.get(2_999), Some(7));
        assert_eq!(map.remove(2_999), Some(7));
        assert_eq!(map.remove(2_999), None);
        assert_eq!(map.remove(-7), Some(4));
        assert_eq!(map.get(-7), None);
        // 4..5_000 held 1_500 already; two removed.
        assert_eq!(map.len(), ids.len() + 4_996 - 1 - 2);
    }

    #[test]
    fn students_added_in_bulk_replace_and_rank_as_one_by_one() {
        let mut one_by_one = MatchIndex::new(Taxonomy::flat(3).unwrap());
        let mut bulk = MatchIndex::new(Taxonomy::flat(3).unwrap());
        let first = [student(1, &[(0, 2)]), student(2, &[(0, 4), (1, 1)]), student(3, &[(1, 5)])];
        let second = [student(2, &[(1, 2)]), student(4, &[(0, 3)]), student(1, &[(0, 5), (2, 1)])];
        for s in first.iter().chain(&second) {
            one_by_one.upsert_student(s);
        }
        bulk.extend_students(&first);
        {
            let mut adding = bulk.bulk_students(3);
            for s in &second {
                adding.upsert(s);
            }
        }
        for index in [&mut one_by_one, &mut bulk] {
            index.upsert_offer(&offer(1, &[(0, 1, 2, true), (2, 1, 1, false)]));
            index.upsert_offer(&offer(2, &[(1, 1, 1, true)]));
        }
        assert_eq!(bulk.students_len(), 4);
        for o in [1, 2] {
            assert_eq!(
                bulk.top_candidates_for_offer(o, 10, today()),
                one_by_one.top_candidates_for_offer(o, 10, today())
            );
        }
        assert_eq!(ids(&bulk.top_candidates_for_offer(1, 10, today()), true), vec![1, 4]);
        assert_eq!(ids(&bulk.top_candidates_for_offer(2, 10, today()), true), vec![2, 3]);
        // No posting is left over from the replaced profiles.
        let postings: usize = bulk.postings.iter().flatten().map(Posting::len).sum();
        assert_eq!(postings, 5);
    }

    #[test]
    fn declared_levels_survive_a_new_taxonomy() {
        // 0 ← 1: the child at 4 lifts its parent, declared at 2, to 4; skill
        // 5 is beyond the taxonomy for now.
        let mut index = MatchIndex::new(Taxonomy::new(vec![None, Some(SkillId(0)), None]).unwrap());
        index.upsert_student(&student(1, &[(0, 2), (1, 4), (5, 3), (0, 1)]));
        index.upsert_offer(&offer(1, &[(0, 4, 1, true)]));
        index.upsert_offer(&offer(2, &[(5, 3, 1, true)]));
        assert_eq!(ids(&index.top_offers_for_student(1, None, 10, today()), false), vec![1]);
        // No parent any more, and skill 5 known: the declared levels count.
        index.replace_taxonomy(Taxonomy::flat(6).unwrap());
        assert_eq!(ids(&index.top_offers_for_student(1, None, 10, today()), false), vec![2]);
        let r = index.explain(1, 1, today(), false).unwrap();
        assert_eq!(r.missing_required.len() + r.partially_met.len(), 1);
        assert!((r.score - 0.5).abs() < 1e-12, "level 2 of 4: {}", r.score);
        // And back: the parent's declared 2 was kept under the child's 4.
        index.replace_taxonomy(Taxonomy::new(vec![None, Some(SkillId(0)), None]).unwrap());
        assert_eq!(ids(&index.top_offers_for_student(1, None, 10, today()), false), vec![1]);
        index.replace_taxonomy(Taxonomy::flat(6).unwrap());
        assert!((index.explain(1, 1, today(), false).unwrap().score - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_new_taxonomy_re_expands_skills() {
        let mut index = MatchIndex::new(Taxonomy::flat(2).unwrap());
        index.upsert_student(&student(1, &[(1, 4)]));
        index.upsert_offer(&offer(1, &[(0, 3, 1, true)]));
        assert!(index.top_candidates_for_offer(1, 10, today()).is_empty());
        index.replace_taxonomy(Taxonomy::new(vec![None, Some(SkillId(0))]).unwrap());
        assert_eq!(ids(&index.top_candidates_for_offer(1, 10, today()), true), vec![1]);
        assert_eq!(ids(&index.top_offers_for_student(1, None, 10, today()), false), vec![1]);
    }

    #[test]
    fn near_misses_equal_the_brute_force_recomputation() {
        let mut compared = 0;
        for seed in [4, 5, 6] {
            let config = SyntheticConfig {
                seed,
                skills: 120,
                students: 600,
                offers: 300,
                today: today(),
                ..SyntheticConfig::default()
            };
            let data = generate(&config, None);
            let taxonomy = Taxonomy::new(data.parents.clone()).unwrap();
            let mut index = MatchIndex::new(taxonomy.clone());
            for s in &data.students {
                index.upsert_student(s);
            }
            for o in &data.offers {
                index.upsert_offer(o);
            }
            let brute = BruteForce::new(&taxonomy, &data.students, &data.offers, &[]);
            for student in data.students.iter().step_by(7) {
                let fast = index.near_misses_for_student(student.id, usize::MAX, today());
                let mut slow = brute.near_misses_for_student(student.id, usize::MAX, today());
                assert_eq!(fast.len(), slow.len(), "student {}", student.id);
                for pair in fast.windows(2) {
                    assert_ne!(near_miss::rank(&pair[0], &pair[1]), std::cmp::Ordering::Greater);
                }
                let mut fast = fast;
                fast.sort_by_key(|n| n.offer_id);
                slow.sort_by_key(|n| n.offer_id);
                for (f, s) in fast.iter().zip(&slow) {
                    assert_eq!((f.offer_id, &f.gaps), (s.offer_id, &s.gaps), "student {}", student.id);
                    assert!((f.score - s.score).abs() < 1e-9 && (f.score_if_closed - s.score_if_closed).abs() < 1e-9);
                }
                compared += fast.len();
            }
        }
        // The data must hold near misses for the comparison to mean anything.
        assert!(compared > 50, "{compared} near misses compared");
    }

    #[test]
    fn near_misses_at_the_edges_of_reach_equal_the_brute_force_recomputation() {
        // 0 ML ← 1 DL ← 2 PyTorch; 3 SQL; 4 Rust; 5 Excel.
        let taxonomy = Taxonomy::new(vec![None, Some(SkillId(0)), Some(SkillId(1)), None, None, None]).unwrap();
        let mut s = student(1, &[(2, 3), (3, 2), (5, 1)]);
        s.wanted_kinds = vec![OfferKind::Internship];
        s.available_from = NaiveDate::from_ymd_opt(2025, 10, 1);
        s.remote_ok = true;
        let base = [(0, 3, 2, true), (4, 2, 1, true)];
        let with = |id, reqs: &[(u32, u8, u8, bool)], change: fn(&mut OfferProfile)| {
            let mut o = offer(id, reqs);
            change(&mut o);
            o
        };
        let offers = vec![
            // An ancestor held through its child, and a skill not held.
            with(1, &base, |_| ()),
            // A held skill one level short.
            with(2, &[(3, 3, 1, true)], |_| ()),
            // Two levels short.
            with(3, &[(3, 4, 1, true)], |_| ()),
            // An ancestor one level short, and a skill not held.
            with(4, &[(1, 4, 1, true), (4, 1, 3, true)], |_| ()),
            // Three short.
            with(5, &[(4, 1, 1, true), (5, 2, 1, true), (2, 4, 1, true)], |_| ()),
            // One gap, but another filter fails.
            with(6, &base, |o| o.city = "Fès".into()),
            with(7, &base, |o| o.deadline = NaiveDate::from_ymd_opt(2025, 8, 31)),
            with(8, &base, |o| o.kind = OfferKind::WorkStudy),
            with(9, &base, |o| o.min_degree_level = Some(DegreeLevel::Bac8)),
            with(10, &base, |o| o.start_date = NaiveDate::from_ymd_opt(2025, 9, 15)),
            with(11, &base, |o| o.status = OfferStatus::Closed),
            // Remote: the city does not matter to a student open to it.
            with(12, &base, |o| {
                o.city = "Fès".into();
                o.work_mode = WorkMode::Remote;
            }),
            // Eligible already, with or without a preferred skill missing.
            with(13, &[(0, 3, 1, true)], |_| ()),
            with(14, &[(0, 3, 1, true), (4, 2, 1, false)], |_| ()),
            // The root one level above what the child gives, and a preferred
            // skill missing beside it.
            with(15, &[(0, 4, 2, true), (4, 3, 1, false)], |_| ()),
            // Deadline today: still open.
            with(16, &base, |o| o.deadline = Some(today())),
        ];
        let mut index = MatchIndex::new(taxonomy.clone());
        index.upsert_student(&s);
        for o in &offers {
            index.upsert_offer(o);
        }
        let brute = BruteForce::new(&taxonomy, std::slice::from_ref(&s), &offers, &[]);
        let fast = index.near_misses_for_student(1, usize::MAX, today());
        let slow = brute.near_misses_for_student(1, usize::MAX, today());
        let mut offer_ids: Vec<i64> = fast.iter().map(|n| n.offer_id).collect();
        offer_ids.sort_unstable();
        assert_eq!(offer_ids, vec![1, 2, 4, 12, 15, 16]);
        assert_eq!(fast.len(), slow.len());
        for (f, b) in fast.iter().zip(&slow) {
            assert_eq!((f.offer_id, &f.gaps), (b.offer_id, &b.gaps));
            assert!((f.score - b.score).abs() < 1e-9 && (f.score_if_closed - b.score_if_closed).abs() < 1e-9);
        }
        let gaps = |id| fast.iter().find(|n| n.offer_id == id).map(|n| n.gaps.clone()).unwrap_or_default();
        let gap = |skill, held_level, required_level| SkillGap { skill: SkillId(skill), held_level, required_level };
        assert_eq!(gaps(2), vec![gap(3, 2, 3)]);
        assert_eq!(gaps(4), vec![gap(1, 3, 4), gap(4, 0, 1)]);
        assert_eq!(gaps(15), vec![gap(0, 3, 4)]);
    }

    /// Every ranking and a sample of explanations agree with the full scan.
    fn assert_same(index: &MatchIndex, brute: &BruteForce, students: &[i64], offers: &[i64]) {
        for &o in offers {
            for limit in [1, 20, usize::MAX] {
                assert_eq!(
                    index.top_candidates_for_offer(o, limit, today()),
                    brute.top_candidates_for_offer(o, limit, today()),
                    "offer {o}, limit {limit}"
                );
            }
        }
        for &s in students {
            for kind in [None, Some(OfferKind::WorkStudy)] {
                assert_eq!(
                    index.top_offers_for_student(s, kind, 20, today()),
                    brute.top_offers_for_student(s, kind, 20, today()),
                    "student {s}"
                );
            }
            for &o in offers.iter().take(5) {
                for recruiter in [false, true] {
                    assert_eq!(index.explain(s, o, today(), recruiter), brute.explain(s, o, today(), recruiter));
                }
            }
        }
    }

    #[test]
    fn a_posting_gives_its_holders_through_a_filter_in_either_form() {
        // (holders, slots, expected form): a bitset once a holder in 32 slots.
        let table: &[(&[u32], usize, bool)] = &[
            (&[], 1_000, false),
            (&[3, 64, 65, 700], 1_000, false),
            (&[0, 63, 64, 127, 128, 999], 100, true),
            (&[5], 31, true),
            (&[5], 32, false),
        ];
        let pass = Bits((0..16).map(|w| if w % 2 == 0 { u64::MAX } else { 0x8000_0000_0000_0001 }).collect());
        for &(holders, slots, dense) in table {
            let mut p = Posting::with_room(holders.len(), slots);
            for &h in holders {
                p.push(h);
            }
            assert_eq!(p.len(), holders.len());
            assert_eq!(matches!(p, Posting::Bits { .. }), dense, "{holders:?} among {slots}");
            let mut all: Vec<u32> = p.iter(None).collect();
            all.sort_unstable();
            assert_eq!(all, holders, "{holders:?}");
            let mut passing: Vec<u32> = p.iter(Some(&pass)).collect();
            passing.sort_unstable();
            let want: Vec<u32> = holders.iter().copied().filter(|&h| pass.get(h)).collect();
            assert_eq!(passing, want, "{holders:?} through the filter");
            let mut set = Bits(vec![0; slots.div_ceil(64).max(16)]);
            p.set_in(&mut set);
            assert!(holders.iter().all(|&h| set.get(h)));
            assert_eq!(set.0.iter().map(|w| w.count_ones() as usize).sum::<usize>(), holders.len());
            for &h in holders {
                p.remove(h);
            }
            assert!(p.is_empty() && p.iter(None).next().is_none(), "{holders:?} removed");
        }
        // A bitset counts each holder once, however often it is added.
        let mut p = Posting::with_room(1, 10);
        p.push(4);
        p.push(4);
        assert_eq!(p.len(), 1);
        p.remove(4);
        p.remove(4);
        assert!(p.is_empty());
    }

    #[test]
    fn students_added_in_bulk_are_the_students_added_one_by_one() {
        // Spellings of one city, another city, none; skills that grow, shrink
        // and vanish from one student to the next, so that nothing carried
        // over from the student before shows.
        let cities: [&[&str]; 5] = [&["Rabat"], &[" RABAT ", "Fès"], &[], &["rabat"], &["Fès", "Rabat"]];
        let skills: [&[(u32, u8)]; 5] = [&[(2, 3), (3, 2), (5, 1)], &[(0, 1)], &[], &[(4, 5), (5, 5)], &[(1, 2)]];
        let taxonomy = Taxonomy::new(vec![None, Some(SkillId(0)), Some(SkillId(1)), None, None, None]).unwrap();
        let students: Vec<StudentProfile> = (0..20)
            .map(|i| {
                let mut s = student(i + 1, skills[i as usize % 5]);
                s.cities = cities[i as usize * 3 % 5].iter().map(|c| c.to_string()).collect();
                s
            })
            .collect();
        let mut one_by_one = MatchIndex::new(taxonomy.clone());
        for s in &students {
            one_by_one.upsert_student(s);
        }
        let mut bulk = MatchIndex::new(taxonomy.clone());
        bulk.extend_students(&students);
        let mut offers = vec![offer(1, &[(0, 1, 2, true), (4, 2, 1, false)]), offer(2, &[(5, 1, 1, false)])];
        offers[1].city = "Fès".into();
        for o in &offers {
            one_by_one.upsert_offer(o);
            bulk.upsert_offer(o);
        }
        let brute = BruteForce::new(&taxonomy, &students, &offers, &[]);
        let ids: Vec<i64> = students.iter().map(|s| s.id).collect();
        assert_same(&bulk, &brute, &ids, &[1, 2]);
        assert_same(&one_by_one, &brute, &ids, &[1, 2]);
        for o in [1, 2] {
            assert!(!bulk.top_candidates_for_offer(o, 20, today()).is_empty(), "offer {o} finds someone");
        }
        for &id in &ids {
            for o in [1, 2] {
                assert_eq!(bulk.explain(id, o, today(), true), one_by_one.explain(id, o, today(), true));
            }
        }
    }

    #[test]
    fn the_index_answers_what_the_full_scan_answers() {
        for seed in [1, 2, 3] {
            let config = SyntheticConfig {
                seed,
                skills: 300,
                students: 2_000,
                offers: 200,
                today: today(),
                ..SyntheticConfig::default()
            };
            let mut data = generate(&config, None);
            let taxonomy = Taxonomy::new(data.parents.clone()).unwrap();
            let mut index = MatchIndex::new(taxonomy.clone());
            if seed == 2 {
                // In bulk, over a first half added one by one and replaced.
                for s in &data.students[..1_000] {
                    index.upsert_student(&student(s.id, &[(0, 5), (1, 5)]));
                }
                index.extend_students(&data.students);
            } else {
                for s in &data.students {
                    index.upsert_student(s);
                }
            }
            for o in &data.offers {
                index.upsert_offer(o);
            }
            for &(s, o) in &data.applications {
                index.add_application(s, o);
            }
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let offer_ids: Vec<i64> = data.offers.iter().map(|o| o.id).collect();
            let sample: Vec<i64> = (0..40).map(|_| rng.gen_range(1..=2_000)).collect();
            let brute = BruteForce::new(&taxonomy, &data.students, &data.offers, &data.applications);
            for limit in [0, DRIVER_SCAN_LIMIT, 1, 300] {
                index.set_driver_scan_limit(limit);
                assert_same(&index, &brute, &sample, &offer_ids);
            }

            // Interleaved changes: students edited, removed and added, offers
            // replaced and removed, new applications.
            let donors = data.students.clone();
            for step in 0..600 {
                let i = rng.gen_range(0..data.students.len());
                match step % 6 {
                    0 => {
                        let gone = data.students.swap_remove(i);
                        index.remove_student(gone.id);
                    }
                    1 | 2 => {
                        let donor = donors.choose(&mut rng).unwrap();
                        let s = &mut data.students[i];
                        s.skills = donor.skills.clone();
                        s.discoverable = !s.discoverable;
                        if let Some(l) = s.skills.first_mut() {
                            l.1 = rng.gen_range(1..=5);
                        }
                        index.upsert_student(s);
                    }
                    3 => {
                        let mut s = donors.choose(&mut rng).unwrap().clone();
                        // Ids far apart and negative ones too.
                        s.id = if step % 12 == 3 { -step } else { 10_000 + step };
                        index.upsert_student(&s);
                        data.students.push(s);
                    }
                    4 => {
                        let j = rng.gen_range(0..data.offers.len());
                        let donor = data.offers[rng.gen_range(0..data.offers.len())].clone();
                        data.offers[j].requirements = donor.requirements;
                        index.upsert_offer(&data.offers[j]);
                    }
                    _ => {
                        let s = data.students[i].id;
                        let o = rng.gen_range(1..=200);
                        index.add_application(s, o);
                        data.applications.push((s, o));
                    }
                }
            }
            for _ in 0..10 {
                let gone = data.offers.swap_remove(rng.gen_range(0..data.offers.len()));
                index.remove_offer(gone.id);
                data.applications.retain(|a| a.1 != gone.id);
            }
            let brute = BruteForce::new(&taxonomy, &data.students, &data.offers, &data.applications);
            let mut sample: Vec<i64> =
                (0..40).map(|_| data.students[rng.gen_range(0..data.students.len())].id).collect();
            sample.push(1_000_000);
            let mut offer_ids: Vec<i64> = data.offers.iter().map(|o| o.id).collect();
            offer_ids.push(1_000_000);
            for limit in [0, DRIVER_SCAN_LIMIT, 1] {
                index.set_driver_scan_limit(limit);
                assert_same(&index, &brute, &sample, &offer_ids);
            }
            assert_eq!(index.students_len(), data.students.len());
            assert_eq!(index.offers_len(), data.offers.len());

            // A different taxonomy: every third skill loses its parent.
            let parents: Vec<Option<SkillId>> =
                data.parents.iter().enumerate().map(|(i, p)| if i % 3 == 0 { None } else { *p }).collect();
            let taxonomy = Taxonomy::new(parents).unwrap();
            index.replace_taxonomy(taxonomy.clone());
            let brute = BruteForce::new(&taxonomy, &data.students, &data.offers, &data.applications);
            assert_same(&index, &brute, &sample[..10], &offer_ids);
        }
    }

    fn arb_reqs() -> impl Strategy<Value = Vec<(u32, u8, u8, bool)>> {
        prop::collection::vec((0u32..12, 1u8..=5, 1u8..=5, any::<bool>()), 0..6)
    }

    fn arb_skills() -> impl Strategy<Value = Vec<(u32, u8)>> {
        prop::collection::vec((0u32..12, 1u8..=5), 0..8)
    }

    /// 12 skills: 0–3 roots, 4–7 under 0–3, 8–11 under 4–7.
    fn small_taxonomy() -> Taxonomy {
        let parents = (0..12u32).map(|i| (i >= 4).then(|| SkillId(i - 4))).collect();
        Taxonomy::new(parents).unwrap()
    }

    fn score_of(skills: &[(u32, u8)], reqs: &[(u32, u8, u8, bool)]) -> f64 {
        let mut index = MatchIndex::new(small_taxonomy());
        index.upsert_student(&student(1, skills));
        index.upsert_offer(&offer(1, reqs));
        index.explain(1, 1, today(), false).unwrap().score
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn score_stays_within_bounds(skills in arb_skills(), reqs in arb_reqs()) {
            let s = score_of(&skills, &reqs);
            prop_assert!((0.0..=1.0).contains(&s));
        }

        #[test]
        fn more_skill_never_lowers_a_score(
            skills in arb_skills(),
            reqs in arb_reqs(),
            extra in (0u32..12, 1u8..=5),
            raise in 0usize..8,
        ) {
            let before = score_of(&skills, &reqs);
            let mut added = skills.clone();
            added.push(extra);
            prop_assert!(score_of(&added, &reqs) >= before);
            let mut raised = skills.clone();
            if let Some(e) = raised.get_mut(raise) {
                e.1 = (e.1 + 1).min(5);
            }
            prop_assert!(score_of(&raised, &reqs) >= before);
        }

        #[test]
        fn order_does_not_depend_on_insertion(
            people in prop::collection::vec(arb_skills(), 1..40),
            reqs in arb_reqs(),
            seed in any::<u64>(),
        ) {
            let students: Vec<StudentProfile> = people
                .iter()
                .enumerate()
                .map(|(i, s)| student(i as i64 + 1, s))
                .collect();
            let mut shuffled = students.clone();
            shuffled.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
            let build = |list: &[StudentProfile], limit| {
                let mut index = MatchIndex::new(small_taxonomy());
                index.set_driver_scan_limit(limit);
                for s in list {
                    index.upsert_student(s);
                }
                index.upsert_offer(&offer(1, &reqs));
                index.upsert_offer(&offer(2, &reqs[..reqs.len() / 2]));
                index
            };
            let a = build(&students, 0);
            let b = build(&shuffled, 1);
            for o in [1, 2] {
                let first = a.top_candidates_for_offer(o, 5, today());
                prop_assert_eq!(&first, &a.top_candidates_for_offer(o, 5, today()));
                prop_assert_eq!(&first, &b.top_candidates_for_offer(o, 5, today()));
            }
            prop_assert_eq!(
                a.top_offers_for_student(1, None, 5, today()),
                b.top_offers_for_student(1, None, 5, today())
            );
        }
    }
}
