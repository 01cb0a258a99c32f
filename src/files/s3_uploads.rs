//! Unfinished S3 multipart uploads: listed and aborted by `weiquan evidence verify [--clean]`.
//!
//! A node killed while putting a large object in parts leaves the parts in the bucket, billed
//! and invisible to object listings; the `object_store` crate has no call that lists them. These
//! two requests (ListMultipartUploads, AbortMultipartUpload) are made here, signed with AWS
//! Signature Version 4 from the same `AWS_*` environment the object store reads. Credentials must
//! be in the environment (static keys, with `AWS_SESSION_TOKEN` when temporary); instance-role
//! credentials are not looked up.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// An upload a writer started and never completed or aborted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    /// The object's key in the bucket (with the store's prefix).
    pub key: String,
    pub upload_id: String,
    pub initiated: DateTime<Utc>,
}

/// Static credentials.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub key_id: String,
    pub secret: String,
    pub token: Option<String>,
}

/// A bucket's address and the credentials to sign requests to it.
#[derive(Debug, Clone)]
pub struct Bucket {
    /// `http://127.0.0.1:5070/bucket` (path style) or `https://bucket.s3.region.amazonaws.com`.
    base: url::Url,
    /// The key prefix of the store (`evidence/`), empty for the whole bucket.
    prefix: String,
    region: String,
    credentials: Credentials,
    client: reqwest::Client,
}

/// The value of the first of these environment variables that is set and not blank.
fn env(names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|n| std::env::var(n).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
}

impl Bucket {
    /// The bucket of `s3://bucket/prefix`, addressed and signed as the object store does it.
    pub fn from_env(bucket: &str, prefix: &str) -> Result<Self> {
        let region = env(&["AWS_REGION", "AWS_DEFAULT_REGION"]).unwrap_or("us-east-1".into());
        let credentials = Credentials {
            key_id: env(&["AWS_ACCESS_KEY_ID"])
                .context("AWS_ACCESS_KEY_ID is not set: cannot list unfinished uploads")?,
            secret: env(&["AWS_SECRET_ACCESS_KEY"])
                .context("AWS_SECRET_ACCESS_KEY is not set: cannot list unfinished uploads")?,
            token: env(&["AWS_SESSION_TOKEN", "AWS_TOKEN"]),
        };
        // Addressed as `object_store` addresses it: a virtual-hosted endpoint names the bucket
        // already; a path-style one is followed by it.
        let virtual_hosted = env(&["AWS_VIRTUAL_HOSTED_STYLE_REQUEST"]).is_some_and(|v| {
            ["true", "1", "yes", "on", "y"]
                .iter()
                .any(|t| v.eq_ignore_ascii_case(t))
        });
        let endpoint = env(&["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT"]);
        let base = match (endpoint, virtual_hosted) {
            (Some(endpoint), true) => url::Url::parse(&endpoint).context("AWS_ENDPOINT")?,
            (Some(endpoint), false) => {
                url::Url::parse(&format!("{}/{bucket}", endpoint.trim_end_matches('/')))
                    .context("AWS_ENDPOINT")?
            }
            (None, true) => {
                url::Url::parse(&format!("https://{bucket}.s3.{region}.amazonaws.com"))?
            }
            (None, false) => {
                url::Url::parse(&format!("https://s3.{region}.amazonaws.com/{bucket}"))?
            }
        };
        let prefix = match prefix.trim_matches('/') {
            "" => String::new(),
            p => format!("{p}/"),
        };
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        Ok(Self {
            base,
            prefix,
            region,
            credentials,
            client,
        })
    }

    /// The URL of `key` (empty: the bucket) with a query of `(name, value)` pairs. Each
    /// segment of the key is encoded as SigV4 and `object_store` encode it (`a+b` is `a%2Bb`).
    fn url(&self, key: &str, query: &[(&str, &str)]) -> url::Url {
        let mut u = self.base.clone();
        let encoded: Vec<String> = key.split('/').map(encode).collect();
        let path = format!("{}/{}", u.path().trim_end_matches('/'), encoded.join("/"));
        u.set_path(&path);
        let q: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        u.set_query(Some(&q.join("&")));
        u
    }

    async fn send(&self, method: reqwest::Method, url: url::Url) -> Result<String> {
        let headers = sign(
            method.as_str(),
            &url,
            &self.region,
            &self.credentials,
            Utc::now(),
        );
        let mut req = self.client.request(method, url.clone());
        for (name, value) in headers {
            req = req.header(name, value);
        }
        let res = req.send().await.with_context(|| format!("S3 {url}"))?;
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!(
                "S3 answered {status} to {url}: {}",
                tag(&body, "Message").unwrap_or(body.clone())
            );
        }
        Ok(body)
    }

    /// Every unfinished upload of the store (under its `objects/` and `quarantine/` folders:
    /// nothing else in the bucket is its own), oldest first.
    pub async fn unfinished(&self) -> Result<Vec<Unfinished>> {
        let mut found = Vec::new();
        for folder in ["objects/", "quarantine/"] {
            let prefix = format!("{}{folder}", self.prefix);
            self.unfinished_under(&prefix, &mut found).await?;
        }
        found.sort_by(|a, b| a.initiated.cmp(&b.initiated).then(a.key.cmp(&b.key)));
        Ok(found)
    }

    async fn unfinished_under(&self, prefix: &str, found: &mut Vec<Unfinished>) -> Result<()> {
        let (mut key_marker, mut id_marker) = (String::new(), String::new());
        for _page in 0..10_000 {
            let mut query = vec![("uploads", ""), ("prefix", prefix)];
            if !key_marker.is_empty() {
                query.push(("key-marker", &key_marker));
                query.push(("upload-id-marker", &id_marker));
            }
            let body = self
                .send(reqwest::Method::GET, self.url("", &query))
                .await?;
            for upload in elements(&body, "Upload") {
                let (Some(key), Some(upload_id), Some(initiated)) = (
                    tag(upload, "Key"),
                    tag(upload, "UploadId"),
                    tag(upload, "Initiated"),
                ) else {
                    continue;
                };
                let initiated = DateTime::parse_from_rfc3339(&initiated)
                    .with_context(|| format!("Initiated of {key}"))?
                    .to_utc();
                found.push(Unfinished {
                    key,
                    upload_id,
                    initiated,
                });
            }
            if tag(&body, "IsTruncated").as_deref() != Some("true") {
                return Ok(());
            }
            let next = (
                tag(&body, "NextKeyMarker").unwrap_or_default(),
                tag(&body, "NextUploadIdMarker").unwrap_or_default(),
            );
            if next.0.is_empty() || next == (key_marker.clone(), id_marker.clone()) {
                bail!(
                    "the S3 listing of unfinished uploads does not advance past {}",
                    next.0
                );
            }
            (key_marker, id_marker) = next;
        }
        bail!("the S3 listing of unfinished uploads has more than 10,000 pages")
    }

    /// Aborts an upload: its parts are deleted. One already gone (completed or aborted since
    /// it was listed) is done too.
    pub async fn abort(&self, u: &Unfinished) -> Result<()> {
        let url = self.url(&u.key, &[("uploadId", &u.upload_id)]);
        match self.send(reqwest::Method::DELETE, url).await {
            Ok(_) => Ok(()),
            Err(e) if e.to_string().contains(" 404 ") => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// RFC 3986 percent-encoding as SigV4 wants it: everything but `A–Z a–z 0–9 - . _ ~`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The bodies of every `<name>…</name>` in `xml`.
fn elements<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else {
            break;
        };
        out.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    out
}

/// The text of the first `<name>` in `xml`, its entities and character references decoded.
fn tag(xml: &str, name: &str) -> Option<String> {
    elements(xml, name).first().map(|t| unescape(t))
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';') else {
            out.push_str(&rest[amp..]);
            return out;
        };
        let entity = &after[..semi];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "amp" => Some('&'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The headers that sign a request without a body (AWS Signature Version 4, service `s3`):
/// `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` when there is one, and
/// `authorization`.
pub fn sign(
    method: &str,
    url: &url::Url,
    region: &str,
    credentials: &Credentials,
    now: DateTime<Utc>,
) -> Vec<(&'static str, String)> {
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let day = now.format("%Y%m%d").to_string();
    let empty = hex::encode(Sha256::digest(b""));
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let mut signed: Vec<(&'static str, String)> = vec![
        ("host", host),
        ("x-amz-content-sha256", empty.clone()),
        ("x-amz-date", stamp.clone()),
    ];
    if let Some(token) = &credentials.token {
        signed.push(("x-amz-security-token", token.clone()));
    }
    let mut query: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (encode(&k), encode(&v)))
        .collect();
    query.sort();
    let canonical_query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let header_names: Vec<&str> = signed.iter().map(|(n, _)| *n).collect();
    let canonical = format!(
        "{method}\n{}\n{}\n{}\n\n{}\n{empty}",
        url.path(),
        canonical_query.join("&"),
        signed
            .iter()
            .map(|(n, v)| format!("{n}:{}", v.trim()))
            .collect::<Vec<_>>()
            .join("\n"),
        header_names.join(";"),
    );
    let scope = format!("{day}/{region}/s3/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac(
        format!("AWS4{}", credentials.secret).as_bytes(),
        day.as_bytes(),
    );
    for part in [region, "s3", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex::encode(hmac(&key, to_sign.as_bytes()));
    let mut headers: Vec<(&'static str, String)> =
        signed.into_iter().filter(|(n, _)| *n != "host").collect();
    headers.push((
        "authorization",
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={}, Signature={signature}",
            credentials.key_id,
            header_names.join(";")
        ),
    ));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(token: Option<&str>) -> Credentials {
        Credentials {
            key_id: "AKIDEXAMPLE".into(),
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            token: token.map(str::to_string),
        }
    }

    fn authorization(method: &str, url: &str, token: Option<&str>) -> String {
        let now = DateTime::parse_from_rfc3339("2026-12-05T10:00:00Z")
            .unwrap()
            .to_utc();
        let headers = sign(
            method,
            &url::Url::parse(url).unwrap(),
            "us-east-1",
            &credentials(token),
            now,
        );
        headers
            .into_iter()
            .find(|(n, _)| *n == "authorization")
            .unwrap()
            .1
    }

    /// The signatures the AWS SDK for Python (botocore 1.43, `S3SigV4Auth`) computes for the
    /// same requests, credentials and instant.
    #[test]
    fn requests_are_signed_as_the_aws_sdk_signs_them() {
        let scope = "Credential=AKIDEXAMPLE/20261205/us-east-1/s3/aws4_request";
        assert_eq!(
            authorization(
                "GET",
                "http://127.0.0.1:5070/wq-bucket/?prefix=evidence%2F&uploads=",
                None
            ),
            format!(
                "AWS4-HMAC-SHA256 {scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, \
                 Signature=0a0db3f181a118817e5074971217571eb3609c6af01b23d0cc752a4030146235"
            )
        );
        assert_eq!(
            authorization(
                "DELETE",
                "http://127.0.0.1:5070/wq-bucket/evidence/objects/ab/abc%20d?uploadId=x%2By",
                None
            ),
            format!(
                "AWS4-HMAC-SHA256 {scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, \
                 Signature=73d196276579bb705b129c5817a5fdd17b4b63de2104578d297b772d338b9924"
            )
        );
        assert_eq!(
            authorization(
                "GET",
                "https://wq-bucket.s3.us-east-1.amazonaws.com/?uploads=&key-marker=evidence%2Fa&upload-id-marker=u1",
                Some("TOKEN")
            ),
            format!(
                "AWS4-HMAC-SHA256 {scope}, \
                 SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, \
                 Signature=f9d405f3c4532d50d63833c9c4ac831c79daa4402f5cf6e6d845f3d4413f0c7f"
            )
        );
    }

    #[test]
    fn a_listing_is_read_with_its_entities_and_markers() {
        let xml = "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated>\
            <NextKeyMarker>evidence/b</NextKeyMarker><Upload><Key>evidence/a&amp;b</Key>\
            <UploadId>u1</UploadId><Initiated>2026-12-05T10:00:00.000Z</Initiated></Upload>\
            <Upload><Key>evidence/b</Key><UploadId>u2</UploadId></Upload>\
            </ListMultipartUploadsResult>";
        let uploads = elements(xml, "Upload");
        assert_eq!(uploads.len(), 2);
        assert_eq!(tag(uploads[0], "Key").unwrap(), "evidence/a&b");
        assert_eq!(tag(xml, "IsTruncated").unwrap(), "true");
        assert_eq!(tag(xml, "NextKeyMarker").unwrap(), "evidence/b");
        assert_eq!(encode("evidence/a b"), "evidence%2Fa%20b");
        assert_eq!(unescape("a&#xD;b&#13;c&amp;&bogus;"), "a\rb\rc&&bogus;");
    }

    #[test]
    fn keys_are_addressed_segment_by_segment_as_sigv4_encodes_them() {
        let bucket = Bucket {
            base: url::Url::parse("http://127.0.0.1:5070/wq-bucket").unwrap(),
            prefix: "evidence+2026/".into(),
            region: "us-east-1".into(),
            credentials: credentials(None),
            client: reqwest::Client::new(),
        };
        // (`object_store` refuses `.` and `..` segments: no key has them.)
        let u = bucket.url("evidence+2026/objects/a b/ü%", &[("uploadId", "x+y")]);
        assert_eq!(
            u.path(),
            "/wq-bucket/evidence%2B2026/objects/a%20b/%C3%BC%25"
        );
        assert_eq!(u.query(), Some("uploadId=x%2By"));
        assert_eq!(bucket.url("", &[("uploads", "")]).path(), "/wq-bucket/");
    }
}
