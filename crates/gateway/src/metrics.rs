//! Prometheus metrics for the admin listener, in the text exposition format:
//! requests by route/status/decision, a latency histogram, upstream errors
//! and rate-limited requests. Label values are gateway-chosen (route names
//! from config, status codes, decision words), never client input, so the
//! series count is bounded by the configuration.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Latency histogram bucket bounds (seconds).
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0, 30.0,
];

/// Request counts of one route by (status, decision word).
type ByOutcome = HashMap<(u16, &'static str), u64>;

#[derive(Default)]
pub struct Metrics {
    /// route -> (status, decision) -> count; nested so that counting a
    /// request looks the route up by `&str` without allocating.
    requests: Mutex<HashMap<String, ByOutcome>>,
    /// Requests per latency bucket, not cumulative (one increment per
    /// request, not one per bound above it); summed up when rendered.
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    upstream_errors: AtomicU64,
    rate_limited: AtomicU64,
    /// Token-authentication counters, when `[auth]` configures any.
    pub tokens: std::sync::OnceLock<std::sync::Arc<crate::tokens::TokenAuth>>,
    /// The Redis rate-limit backend's counters (all zero without Redis).
    pub redis: Arc<RedisMetrics>,
}

/// Counters of the Redis rate-limit backend, shared with its limiters.
#[derive(Default)]
pub struct RedisMetrics {
    /// Script calls sent to Redis.
    pub round_trips: AtomicU64,
    /// Calls that failed (connection refused or lost, server error).
    pub errors: AtomicU64,
    /// Calls that did not answer within `timeout`.
    pub timeouts: AtomicU64,
    /// Decisions made without Redis, by `on_error`.
    pub fail_open: AtomicU64,
    pub fail_closed: AtomicU64,
    pub fail_local: AtomicU64,
    /// Calls that reserved at least one cell, and the cells they reserved.
    pub reservations: AtomicU64,
    pub cells_reserved: AtomicU64,
    /// Reserved rate-limit cells whose lease ended unused.
    pub cells_expired: AtomicU64,
}

impl RedisMetrics {
    fn render(&self, out: &mut String) {
        let fallback = [
            ("open", &self.fail_open),
            ("closed", &self.fail_closed),
            ("local", &self.fail_local),
        ];
        let _ = writeln!(
            out,
            "# HELP aigis_gateway_redis_fallback_decisions_total Rate-limit decisions made without Redis, by on_error mode.\n# TYPE aigis_gateway_redis_fallback_decisions_total counter"
        );
        for (mode, v) in fallback {
            let _ = writeln!(
                out,
                "aigis_gateway_redis_fallback_decisions_total{{mode=\"{mode}\"}} {}",
                v.load(Ordering::Relaxed)
            );
        }
        for (name, help, v) in [
            (
                "aigis_gateway_redis_round_trips_total",
                "Rate-limit script calls sent to Redis.",
                &self.round_trips,
            ),
            (
                "aigis_gateway_redis_errors_total",
                "Redis rate-limit calls that failed.",
                &self.errors,
            ),
            (
                "aigis_gateway_redis_timeouts_total",
                "Redis rate-limit calls that timed out.",
                &self.timeouts,
            ),
            (
                "aigis_gateway_redis_reservations_total",
                "Redis calls that reserved cells (local batching).",
                &self.reservations,
            ),
            (
                "aigis_gateway_redis_cells_reserved_total",
                "Rate-limit and quota cells reserved in Redis.",
                &self.cells_reserved,
            ),
            (
                "aigis_gateway_redis_cells_expired_total",
                "Reserved rate-limit cells whose lease ended unused.",
                &self.cells_expired,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        }
    }
}

impl Metrics {
    /// Count one finished request.
    pub fn observe(&self, route: Option<&str>, status: u16, decision: &'static str, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            let route = route.unwrap_or("");
            let per_route = match m.get_mut(route) {
                Some(r) => r,
                None => m.entry(route.to_string()).or_default(),
            };
            *per_route.entry((status, decision)).or_default() += 1;
        }
        if let Some(b) = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .and_then(|i| self.buckets.get(i))
        {
            b.fetch_add(1, Ordering::Relaxed);
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        // Float-to-int `as` saturates; negative or NaN become 0.
        self.latency_sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        if decision == "limited" {
            self.rate_limited.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn upstream_error(&self) {
        self.upstream_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP aigis_gateway_requests_total Requests by route, status and decision.\n",
        );
        out.push_str("# TYPE aigis_gateway_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            let mut rows: Vec<_> = m
                .iter()
                .flat_map(|(route, by)| by.iter().map(move |((s, d), n)| ((route, s, d), n)))
                .collect();
            rows.sort();
            for ((route, status, decision), n) in rows {
                let _ = writeln!(
                    out,
                    "aigis_gateway_requests_total{{route=\"{}\",status=\"{status}\",decision=\"{decision}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP aigis_gateway_request_duration_seconds Time from request to end of response body.\n");
        out.push_str("# TYPE aigis_gateway_request_duration_seconds histogram\n");
        let mut cumulative = 0u64;
        for (bound, b) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            cumulative = cumulative.saturating_add(b.load(Ordering::Relaxed));
            let _ = writeln!(
                out,
                "aigis_gateway_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "aigis_gateway_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "aigis_gateway_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "aigis_gateway_request_duration_seconds_count {count}");
        for (name, help, v) in [
            (
                "aigis_gateway_upstream_errors_total",
                "Upstream failures and timeouts.",
                &self.upstream_errors,
            ),
            (
                "aigis_gateway_rate_limited_total",
                "Requests refused by rate limits, quotas or concurrency.",
                &self.rate_limited,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        }
        if let Some(t) = self.tokens.get() {
            t.render_metrics(&mut out);
        }
        self.redis.render(&mut out);
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counters_render() {
        let m = Metrics::default();
        m.observe(Some("chat"), 200, "allowed", 0.002);
        m.observe(Some("chat"), 429, "limited", 0.0001);
        m.upstream_error();
        let text = m.render();
        assert!(text.contains(
            "aigis_gateway_requests_total{route=\"chat\",status=\"200\",decision=\"allowed\"} 1"
        ));
        assert!(text.contains("le=\"0.0005\"} 1\n"));
        assert!(text.contains("le=\"0.0025\"} 2\n"));
        assert!(text.contains("le=\"+Inf\"} 2\n"));
        assert!(text.contains("aigis_gateway_upstream_errors_total 1"));
        assert!(text.contains("aigis_gateway_rate_limited_total 1"));
    }
}
