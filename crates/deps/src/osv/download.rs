//! Fetching OSV's per-ecosystem `all.zip` over HTTPS (ureq with rustls).
//! Not exercised by the tests: they run offline and import with `--from`.

use crate::Error;
use std::io::Read;

/// Where OSV publishes the PyPI advisories for offline use.
pub const PYPI_ALL_ZIP: &str = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip";

/// Download `url` (at most `max` bytes).
pub fn fetch(url: &str, max: u64) -> Result<Vec<u8>, Error> {
    let err = |reason: String| Error::Download {
        url: url.to_string(),
        reason,
    };
    let response = ureq::get(url).call().map_err(|e| err(e.to_string()))?;
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(max.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| err(e.to_string()))?;
    if body.len() as u64 > max {
        return Err(err(format!("larger than {max} bytes")));
    }
    Ok(body)
}
