//! The service: one visible pipeline of named phases (pingora's words).
//! Requests go down it in this order, and responses come back up:
//!
//! | phase            | function                         | refuses with |
//! |------------------|----------------------------------|--------------|
//! | request filter   | `request_id::assign`             |              |
//! | logging          | `logging::admit` / `logging::log` (on the way out) | 503 |
//! | response filter  | `response_filter::filter` (on the way out) |    |
//! | request filter   | `client_limit::limit`            | 429          |
//! | request filter   | `authenticate::authenticate`     | 401, 503     |
//! | request filter   | `route::select`                  | 404          |
//! | request filter   | `authorize::authorize`           | 403, 401 step-up |
//! | request filter   | `rate_limit::limit`              | 429          |
//! | request filter   | `concurrency::limit`             | 429          |
//! | request filter   | `request_body::guard`            | 413, 408, 400, 403, 404 |
//! | upstream request | `proxy::upstream_request`        | 502, 504     |
//!
//! Each request filter is a plain function over the request and the
//! [`Session`] (what earlier phases learned); the first refusal becomes the
//! response, which still passes the response filter and the logging phase.
//! The phases were axum `from_fn` layers once: each boxed a future and
//! cloned the rest of the stack per request; here a request costs one boxed
//! future, and the phases share a [`Session`] instead of request extensions.

use crate::context::Session;
use crate::layers::{
    authenticate, authorize, client_limit, concurrency, logging, rate_limit, request_body,
    request_id, response_filter, route,
};
use crate::proxy;
use crate::reject::GatewayError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The public service (the proxy), as a tower `Service`.
#[derive(Clone)]
pub struct App {
    state: Arc<AppState>,
}

/// The public service over `state`.
pub fn router(state: Arc<AppState>) -> App {
    App { state }
}

impl<B> tower::Service<http::Request<B>> for App
where
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let state = self.state.clone();
        Box::pin(async move { Ok(handle(state, req.map(Body::new)).await) })
    }
}

/// One request, through every phase.
pub async fn handle(state: Arc<AppState>, req: Request) -> Response {
    let (ctx, req, unread) = request_id::assign(req);
    if let Err(e) = logging::admit(&state) {
        return e.into_response();
    }
    let mut session = Session::new(ctx.clone());
    let resp = match request_filters(&state, &mut session, req).await {
        Ok(req) => proxy::upstream_request(&state, &session, req)
            .await
            .unwrap_or_else(IntoResponse::into_response),
        Err(e) => e.into_response(),
    };
    let mut resp = rate_limit::response_headers(&session, resp);
    response_filter::filter(&ctx, &mut resp);
    let resp = logging::log(&state, ctx, session.guards, resp);
    request_id::finish(unread, resp).await
}

/// The request filters, in order; the first refusal ends the request.
async fn request_filters(
    state: &AppState,
    s: &mut Session,
    mut req: Request,
) -> Result<Request, GatewayError> {
    client_limit::limit(state, s).await?;
    authenticate::authenticate(state, s, &mut req).await?;
    route::select(state, s, &req)?;
    authorize::authorize(state, s, &req)?;
    rate_limit::limit(state, s).await?;
    concurrency::limit(state, s)?;
    request_body::guard(state, s, req).await
}
