//! Logging phase: when the response body has been sent (or the client went
//! away), write one audit record and update the metrics. It wraps the
//! response body, so the latency and `bytes_out` cover the whole stream.
//!
//! Records are built from the request context only — never from headers or
//! bodies — and client-influenced values pass through `audit::redact`.

use crate::audit::{AuditRecord, redact, rfc3339_millis};
use crate::body::Observed;
use crate::error_facts::decision_of;
use crate::layers::ctx;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub async fn log(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let Some(ctx) = ctx(&req) else {
        return next.run(req).await;
    };
    let resp = next.run(req).await;
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
                f.model.as_deref().map(redact),
                f.route.clone(),
            )
        });
        let (identity, role, tenant, model, route) = facts.unwrap_or_default();
        state
            .metrics
            .observe(route.as_deref(), status, decision, elapsed.as_secs_f64());
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let record = AuditRecord {
            time: rfc3339_millis(now_ms),
            request_id: ctx.request_id.clone(),
            identity,
            role,
            tenant,
            model,
            route,
            method: ctx.method.clone(),
            client: ctx.client.map(|c| c.ip().to_string()),
            status,
            latency_ms: (elapsed.as_secs_f64() * 1e6).round() / 1e3,
            bytes_in: ctx.bytes_in.load(Ordering::Relaxed),
            bytes_out,
            decision: decision.to_string(),
            reason,
            fault,
        };
        state.audit.record(&record);
    });
    Response::from_parts(parts, Body::new(Observed::new(body, on_end)))
}
