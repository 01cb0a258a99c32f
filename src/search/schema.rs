//! The index schema: one document per case.
//!
//! Searchable text goes to two jieba fields (`zh`): `all` (everything an office may search) and
//! `public` (what the filing enterprise may search: no officer notes, no evidence others
//! uploaded), each with a bigram twin (`bi`). One field per audience keeps a query word a single
//! posting list, which the permission filter can skip through; a union of many fields cannot.
//! The parts shown in hits and snippets are stored, not indexed. Identifiers go to one exact
//! field; who may see the case is kept as terms the permission filter matches; facet values, the
//! due instant and the urgency key are fast fields.
//!
//! Bump [`SCHEMA_VERSION`] whenever the schema or the way documents are built changes: an index
//! of another version is rebuilt from the database on start.

use super::tokenize::{BIGRAM, EXACT, ZH};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

pub const SCHEMA_VERSION: u32 = 2;

/// The fields of the schema, by name.
#[derive(Clone, Debug)]
pub struct Fields {
    /// The case id (u64): the key of updates and deletes.
    pub id: Field,
    /// Case number, as stored (for the hit list).
    pub number: Field,
    /// Title: indexed (`zh`) to rank title matches higher, and stored.
    pub title: Field,
    // Stored for snippets only.
    pub description: Field,
    /// Party names, their addresses, right titles and holders, channel facts.
    pub details: Field,
    /// Evidence descriptions of the filing enterprise's own uploads.
    pub filer_evidence: Field,
    /// Evidence descriptions of everyone else's uploads (offices only).
    pub evidence: Field,
    /// Officer notes from internal events (offices only).
    pub notes: Field,
    // Searched.
    pub all: Field,
    pub public: Field,
    pub bi_all: Field,
    pub bi_public: Field,
    /// Identifiers, exactly: case number, normalised right numbers, credit codes, listing URLs.
    pub ids: Field,
    // Visibility (see `access`).
    pub owner: Field,
    pub filer: Field,
    pub share: Field,
    pub referred: Field,
    pub assignee_org: Field,
    /// Region prefixes (2, 4 and 6 digits) of a case waiting for triage; none otherwise.
    pub triage_region: Field,
    // Filters and facets (also fast fields, counted by `facets`).
    pub queue: Field,
    pub state: Field,
    pub kind: Field,
    pub channel: Field,
    /// Prefecture-level region code.
    pub region: Field,
    /// SRDI level name.
    pub srdi: Field,
    pub assignee: Field,
    pub open: Field,
    /// Next due instant (seconds), i64::MAX when nothing is due: the overdue filter.
    pub due: Field,
    /// Sort key of "most urgent first, SRDI first among equals".
    pub urgency: Field,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(tokenizer)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let o = TextOptions::default().set_indexing_options(indexing);
    if stored { o.set_stored() } else { o }
}

pub fn build() -> (Schema, Fields) {
    let mut s = Schema::builder();
    let exact = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(EXACT)
            .set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        id: s.add_u64_field("id", INDEXED | STORED | FAST),
        number: s.add_text_field("number", STORED),
        title: s.add_text_field("title", text(ZH, true)),
        description: s.add_text_field("description", STORED),
        details: s.add_text_field("details", STORED),
        filer_evidence: s.add_text_field("filer_evidence", STORED),
        evidence: s.add_text_field("evidence", STORED),
        notes: s.add_text_field("notes", STORED),
        all: s.add_text_field("all", text(ZH, false)),
        public: s.add_text_field("public", text(ZH, false)),
        bi_all: s.add_text_field("bi_all", text(BIGRAM, false)),
        bi_public: s.add_text_field("bi_public", text(BIGRAM, false)),
        ids: s.add_text_field("ids", exact),
        owner: s.add_u64_field("owner", INDEXED),
        filer: s.add_u64_field("filer", INDEXED),
        share: s.add_u64_field("share", INDEXED),
        referred: s.add_u64_field("referred", INDEXED),
        assignee_org: s.add_u64_field("assignee_org", INDEXED),
        triage_region: s.add_text_field("triage_region", STRING),
        queue: s.add_text_field("queue", STRING | FAST | STORED),
        state: s.add_text_field("state", STRING | FAST | STORED),
        kind: s.add_text_field("kind", STRING | FAST),
        channel: s.add_text_field("channel", STRING | FAST),
        region: s.add_text_field("region", STRING | FAST),
        srdi: s.add_text_field("srdi", STRING | FAST),
        assignee: s.add_u64_field("assignee", INDEXED),
        open: s.add_u64_field("open", INDEXED | FAST),
        due: s.add_i64_field("due", INDEXED | FAST),
        urgency: s.add_u64_field("urgency", FAST),
    };
    (s.build(), fields)
}
