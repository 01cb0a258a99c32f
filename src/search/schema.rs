//! The index schema: one document per case. Text fields are tokenized with jieba (`zh`) and
//! again as bigrams (`bi`); identifiers go to one exact field; who may see the case is kept
//! as terms the permission filter matches; facets and the urgency key are fast fields.
//!
//! Bump [`SCHEMA_VERSION`] whenever the schema or the way documents are built changes: an index
//! of another version is rebuilt from the database on start.

use super::tokenize::{BIGRAM, EXACT, ZH};
use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

pub const SCHEMA_VERSION: u32 = 1;

/// The fields of the schema, by name.
#[derive(Clone, Debug)]
pub struct Fields {
    /// The case id (u64): the key of updates and deletes.
    pub id: Field,
    /// Case number, as stored (for the hit list).
    pub number: Field,
    pub title: Field,
    pub description: Field,
    /// Party names, their addresses, right titles and holders, channel facts.
    pub details: Field,
    /// Evidence descriptions of the filing enterprise's own uploads.
    pub filer_evidence: Field,
    /// Evidence descriptions of everyone else's uploads (offices only).
    pub evidence: Field,
    /// Officer notes from internal events (offices only).
    pub notes: Field,
    /// Bigram twins: public text (title, description, details, the filer's evidence) …
    pub bi_public: Field,
    /// … office evidence, notes.
    pub bi_evidence: Field,
    pub bi_notes: Field,
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
    // Filters.
    pub queue: Field,
    pub state: Field,
    pub kind: Field,
    pub channel: Field,
    pub region: Field,
    pub srdi: Field,
    pub assignee: Field,
    pub open: Field,
    /// Next due instant (seconds), i64::MAX when nothing is due: the overdue filter.
    pub due: Field,
    /// Sort key of "most urgent first, SRDI first among equals".
    pub urgency: Field,
    /// `/queue/…`, `/state/…`, `/kind/…`, `/channel/…`, `/region/…`, `/srdi/…` for the counts.
    pub facets: Field,
}

impl Fields {
    /// The text fields that everyone who sees a case may search, with their bigram twin.
    pub fn public_text(&self) -> [Field; 4] {
        [
            self.title,
            self.description,
            self.details,
            self.filer_evidence,
        ]
    }
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
        description: s.add_text_field("description", text(ZH, true)),
        details: s.add_text_field("details", text(ZH, true)),
        filer_evidence: s.add_text_field("filer_evidence", text(ZH, true)),
        evidence: s.add_text_field("evidence", text(ZH, true)),
        notes: s.add_text_field("notes", text(ZH, true)),
        bi_public: s.add_text_field("bi_public", text(BIGRAM, false)),
        bi_evidence: s.add_text_field("bi_evidence", text(BIGRAM, false)),
        bi_notes: s.add_text_field("bi_notes", text(BIGRAM, false)),
        ids: s.add_text_field("ids", exact),
        owner: s.add_u64_field("owner", INDEXED),
        filer: s.add_u64_field("filer", INDEXED),
        share: s.add_u64_field("share", INDEXED),
        referred: s.add_u64_field("referred", INDEXED),
        assignee_org: s.add_u64_field("assignee_org", INDEXED),
        triage_region: s.add_text_field("triage_region", STRING),
        queue: s.add_text_field("queue", STRING | STORED),
        state: s.add_text_field("state", STRING | STORED),
        kind: s.add_text_field("kind", STRING),
        channel: s.add_text_field("channel", STRING),
        region: s.add_text_field("region", STRING),
        srdi: s.add_u64_field("srdi", INDEXED | FAST),
        assignee: s.add_u64_field("assignee", INDEXED),
        open: s.add_u64_field("open", INDEXED),
        due: s.add_i64_field("due", INDEXED | FAST),
        urgency: s.add_u64_field("urgency", FAST),
        facets: s.add_facet_field("facets", FacetOptions::default()),
    };
    (s.build(), fields)
}
