//! `spec!`: one workflow action of a queue as data, in the order of [`super::Spec`]'s fields,
//! with the flags that are rarely set given by name.

macro_rules! spec {
    (@flag) => { false };
    (@flag $v:literal) => { $v };
    (@doc) => { None };
    (@doc $d:ident) => { Some($crate::domain::workflow::Document::$d) };
    ($name:ident, $from:expr, $next:expr, [$($ev:ident),*], [$($f:expr),*], $who:ident
     $(, irreversible = $irr:literal)? $(, public = $public:literal)? $(, document = $doc:ident)?) => {
        $crate::domain::workflow::Spec {
            name: $crate::domain::workflow::Step::$name,
            from: $from,
            next: $next,
            events: &[$($crate::domain::case::EventKind::$ev),*],
            fields: &[$($f),*],
            who: $crate::domain::workflow::Who::$who,
            irreversible: spec!(@flag $($irr)?),
            public: spec!(@flag $($public)?),
            document: spec!(@doc $($doc)?),
        }
    };
}
pub(crate) use spec;
