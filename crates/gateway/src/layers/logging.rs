//! Logging phase: when the response body has been sent (or the client went
//! away), write one audit record and update the metrics. It wraps the
//! response body, so the latency and `bytes_out` cover the whole stream.
//!
//! Records are built from the request context only — never from headers or
//! bodies; the audit writer redacts every string field once more.
//!
//! When the audit writer has stopped and `audit.on_failure = "refuse"`,
//! requests are refused (503) by [`admit`], before any other phase runs:
//! nothing is served that cannot be audited.

use crate::audit::{AuditRecord, Decision};
use crate::body::Observed;
use crate::context::Ctx;
use crate::error_facts::decision_of;
use crate::reject::GatewayError;
use crate::state::AppState;
use axum::body::Body;
use axum::response::Response;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

/// Before any other phase: refuse (503) when nothing could be audited.
pub fn admit(state: &AppState) -> Result<(), GatewayError> {
    if state.config.audit.refuses_on_failure() && state.audit.failure().is_some() {
        return Err(GatewayError::AuditUnavailable);
    }
    Ok(())
}

/// Wrap the response body so that its end writes the audit record and
/// counts the metrics; `guards` (a concurrency permit) live until then.
pub fn log(
    state: &Arc<AppState>,
    ctx: Ctx,
    guards: Vec<Box<dyn std::any::Any + Send + Sync>>,
    resp: Response,
) -> Response {
    let state = state.clone();
    let status = resp.status().as_u16();
    let (decision, reason, fault) = decision_of(&resp);
    let (parts, body) = resp.into_parts();
    let on_end = Box::new(move |bytes_out: u64| {
        let elapsed = ctx.started.elapsed();
        let facts = ctx.facts.lock().map(|f| {
            (
                f.identity.clone(),
                f.role.clone(),
                f.tenant.clone(),
                f.model.clone(),
                f.route.clone(),
            )
        });
        let (identity, role, tenant, model, route) = facts.unwrap_or_default();
        let (decision, reason, fault) = if ctx.upstream_stalled.load(Ordering::Relaxed) {
            (
                "error",
                Some("upstream stalled mid-response".to_string()),
                Some("upstream".to_string()),
            )
        } else {
            (decision, reason, fault)
        };
        state
            .metrics
            .observe(route.as_deref(), status, decision, elapsed.as_secs_f64());
        let arrived = SystemTime::now()
            .checked_sub(elapsed)
            .unwrap_or_else(SystemTime::now);
        let record = AuditRecord {
            time: aigis_audit::time::Civil::from_system(arrived).rfc3339(),
            request_id: ctx.request_id.clone(),
            identity,
            role,
            tenant,
            model,
            route: route.unwrap_or_default(),
            method: ctx.method.clone(),
            client: ctx.client.map(|c| c.ip().to_string()),
            status,
            latency_us: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            bytes_in: ctx.bytes_in.load(Ordering::Relaxed),
            bytes_out,
            decision: audit_decision(decision),
            reason: reason.unwrap_or_default(),
            fault,
        };
        state.audit.record(record);
    });
    Response::from_parts(
        parts,
        Body::new(Observed::new(body, on_end).holding_all(guards)),
    )
}

/// The gateway's decision word as the audit log's decision.
fn audit_decision(word: &str) -> Decision {
    match word {
        "allowed" => Decision::Allow,
        "unauthenticated" | "denied" => Decision::Deny,
        "limited" => Decision::Limit,
        "rejected" => Decision::Reject,
        _ => Decision::Error,
    }
}
