//! Server-rendered pages: handlebars templates embedded in the binary (or read from disk in
//! development), the `t` helper for catalogue text, and static assets.

use crate::domain::region;
use crate::i18n::{self, Lang};
use handlebars::{
    Context, DirectorySourceOptions, Handlebars, Helper, HelperResult, Output, RenderContext,
    RenderErrorReason,
};
use rust_embed::RustEmbed;

/// Templates (`*.hbs`) and static assets under `templates/`, compiled into the binary.
#[derive(RustEmbed)]
#[folder = "templates/"]
pub struct Assets;

/// The template registry.
pub struct Views {
    hbs: Handlebars<'static>,
}

impl Views {
    /// Embedded templates; with `from_disk`, templates are re-read from `./templates` on every
    /// render so that edits show without a rebuild.
    pub fn new(from_disk: bool) -> anyhow::Result<Self> {
        let mut hbs = Handlebars::new();
        hbs.set_strict_mode(true);
        // An indented partial must not indent the text of a textarea it contains.
        hbs.set_prevent_indent(true);
        // Every value shown is escaped and loses its format characters: a name stored with
        // bidi controls before they were removed on input cannot read as another on a page.
        hbs.register_escape_fn(|s| {
            handlebars::html_escape(&crate::domain::text::without_format(s))
        });
        hbs.register_helper("t", Box::new(t_helper));
        hbs.register_helper("concat", Box::new(concat));
        hbs.register_helper("region", Box::new(region_helper));
        if from_disk {
            hbs.set_dev_mode(true);
            let mut opts = DirectorySourceOptions::default();
            opts.tpl_extension = ".hbs".into();
            hbs.register_templates_directory("templates", opts)?;
        } else {
            hbs.register_embed_templates_with_extension::<Assets>(".hbs")?;
        }
        Ok(Self { hbs })
    }

    /// Renders `name` (e.g. `auth/login`) with `data`.
    pub fn render(&self, name: &str, data: &serde_json::Value) -> anyhow::Result<String> {
        Ok(self.hbs.render(name, data)?)
    }

    pub fn has(&self, name: &str) -> bool {
        self.hbs.has_template(name)
    }
}

// `(concat "prefix." value)`: a catalogue key built from a value, e.g. an option's label.
handlebars::handlebars_helper!(concat: |a: str, b: str| format!("{a}{b}"));

/// `{{t "key" name=value …}}`: catalogue text in the page's language (`lang` at the root).
fn t_helper(
    h: &Helper,
    _: &Handlebars,
    ctx: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let key = h
        .param(0)
        .and_then(|p| p.value().as_str())
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex("t", 0))?;
    let lang = page_lang(ctx);
    let args: Vec<(String, String)> = h
        .hash()
        .iter()
        .map(|(k, v)| {
            let value = match v.value() {
                serde_json::Value::String(s) => s.clone(),
                // A missing value prints as nothing, never as "null".
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (k.to_string(), value)
        })
        .collect();
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let text = i18n::t_args(lang, key, &args);
    out.write(&handlebars::html_escape(&text))?;
    Ok(())
}

/// `{{region code}}`: a region by its full name (`江苏省南通市通州区`) with its code in the title;
/// a code the table lacks (one abolished since it was stored) shows as it is.
fn region_helper(
    h: &Helper,
    _: &Handlebars,
    ctx: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let code = h
        .param(0)
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex("region", 0))?
        .value()
        .as_str()
        .unwrap_or_default();
    match region::full_name(code) {
        Some(name) => {
            let title = i18n::t_args(page_lang(ctx), "region.code", &[("code", code)]);
            out.write(&format!(
                "<span title=\"{}\">{}</span>",
                handlebars::html_escape(&title),
                handlebars::html_escape(&name)
            ))?;
        }
        None => out.write(&handlebars::html_escape(code))?,
    }
    Ok(())
}

/// The page's language (`lang` at the root of the data).
fn page_lang(ctx: &Context) -> Lang {
    ctx.data()
        .get("lang")
        .and_then(|l| l.as_str())
        .and_then(Lang::from_tag)
        .unwrap_or_default()
}

/// A static asset by path (e.g. `static/app.css`) with its media type.
pub fn asset(path: &str) -> Option<(Vec<u8>, &'static str)> {
    if !path.starts_with("static/") || path.contains("..") {
        return None;
    }
    let file = Assets::get(path)?;
    let mime = match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    };
    Some((file.data.into_owned(), mime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_the_helper_translates() {
        let views = Views::new(false).expect("templates compile");
        assert!(views.has("auth/login"));
        let page = |lang: Lang| {
            let ctx = crate::http::RequestCtx {
                lang,
                ..Default::default()
            };
            let mut data = crate::http::layout::base(&ctx, None, "", "/login");
            data["username"] = serde_json::json!("");
            views.render("auth/login", &data).unwrap()
        };
        let zh = page(Lang::Zh);
        assert!(zh.contains("登录"), "{zh}");
        let en = page(Lang::En);
        assert!(en.contains("Sign in"), "{en}");
    }

    /// Strict mode: a key a template prints that the data lacks is an error, not an empty spot;
    /// the partials take values that may be absent.
    #[test]
    fn templates_are_strict_and_the_partials_take_what_may_be_absent() {
        let views = Views::new(false).expect("templates compile");
        let missing = views
            .hbs
            .render_template("{{nothing}}", &serde_json::json!({}));
        assert!(missing.is_err());
        let field = |data| {
            views
                .hbs
                .render_template("{{> partials/field_error e=errors.name}}", &data)
                .unwrap()
        };
        assert_eq!(field(serde_json::json!({"errors": {}})).trim(), "");
        assert_eq!(
            field(serde_json::json!({"errors": {"name": "必填"}})).trim(),
            "<p class=\"field-error\">必填</p>"
        );
        let badge = views
            .hbs
            .render_template(
                "{{> partials/badge}}",
                &serde_json::json!({"lang": "zh-CN", "badge": {"class": "overdue", "key": "deadline.overdue", "days": -1, "date": "2026-03-02"}}),
            )
            .unwrap();
        assert!(
            badge.contains("badge overdue") && badge.contains("已超期"),
            "{badge}"
        );
        let none = views
            .hbs
            .render_template("{{> partials/badge}}", &serde_json::json!({"badge": null}))
            .unwrap();
        assert!(none.contains("—"), "{none}");
    }

    #[test]
    fn the_region_helper_names_a_region_and_keeps_its_code_in_the_title() {
        let views = Views::new(false).expect("templates compile");
        let region = |lang: &str, code: &str| {
            views
                .hbs
                .render_template(
                    "{{region code}}",
                    &serde_json::json!({"lang": lang, "code": code}),
                )
                .unwrap()
        };
        assert_eq!(
            region("zh-CN", "320612"),
            "<span title=\"行政区划代码 320612\">江苏省南通市通州区</span>"
        );
        assert_eq!(
            region("en", "110105"),
            "<span title=\"Region code 110105\">北京市朝阳区</span>"
        );
        // Abolished in 2020; a case stored before keeps its code.
        assert_eq!(region("zh-CN", "320602"), "320602");
        assert_eq!(region("zh-CN", "<b>"), "&lt;b&gt;");
    }

    #[test]
    fn assets_are_served_only_from_static() {
        assert!(asset("static/app.css").is_some());
        assert!(asset("auth/login.hbs").is_none());
        assert!(asset("static/../auth/login.hbs").is_none());
    }
}
