//! The layer [`Auth::layer`] returns: it makes the configuration available to the extractors
//! and, when an OAuth resource is configured, points every 401 and every `insufficient_scope`
//! 403 of this crate at the RFC 9728 metadata (`resource_metadata="…"` in `WWW-Authenticate`, as the MCP authorization spec
//! requires of a resource server).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::http::{HeaderValue, Request, Response, header};
use tower_layer::Layer;
use tower_service::Service;

use crate::auth::Auth;
use crate::error::Challenged;
use crate::request::RequestState;

impl Auth {
    /// The layer that makes this configuration available to the extractors:
    /// `router.layer(auth.layer())`. With an OAuth resource configured
    /// (`Jwks::resource`), it also adds
    /// `resource_metadata="…"` to the `WWW-Authenticate` of every 401 and every
    /// `insufficient_scope` 403 this crate answers (the MCP authorization spec's step-up).
    pub fn layer(&self) -> AuthLayer {
        AuthLayer::new(self.clone())
    }
}

/// The [`Layer`] of [`Auth::layer`]: `router.layer(auth.layer())`.
#[derive(Clone)]
pub struct AuthLayer {
    auth: Auth,
    /// `resource_metadata="…"`, ready to append, when a resource is configured.
    resource_metadata: Option<Arc<str>>,
}

impl AuthLayer {
    pub(crate) fn new(auth: Auth) -> Self {
        let resource_metadata = auth
            .resource_metadata_url()
            .map(|url| Arc::from(format!(r#"resource_metadata="{url}""#)));
        AuthLayer {
            auth,
            resource_metadata,
        }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            auth: self.auth.clone(),
            resource_metadata: self.resource_metadata.clone(),
        }
    }
}

/// The service [`AuthLayer`] wraps around a router or a route.
#[derive(Clone)]
pub struct AuthService<S> {
    inner: S,
    auth: Auth,
    resource_metadata: Option<Arc<str>>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for AuthService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        request
            .extensions_mut()
            .insert(RequestState::new(self.auth.clone()));
        ResponseFuture {
            inner: self.inner.call(request),
            resource_metadata: self.resource_metadata.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response of [`AuthService`].
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        resource_metadata: Option<Arc<str>>,
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = Result<Response<ResBody>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = match this.inner.poll(cx) {
            Poll::Ready(Ok(response)) => response,
            other => return other,
        };
        if let Some(metadata) = this.resource_metadata.as_deref()
            && response.extensions().get::<Challenged>().is_some()
        {
            amend(&mut response, metadata);
        }
        Poll::Ready(Ok(response))
    }
}

/// Appends `resource_metadata="…"` to the response's bearer challenge.
fn amend<B>(response: &mut Response<B>, metadata: &str) {
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("Bearer");
    // `Bearer` alone takes the parameter after a space, `Bearer error=…` after a comma.
    let amended = if challenge.contains('=') {
        format!("{challenge}, {metadata}")
    } else {
        format!("{challenge} {metadata}")
    };
    if let Ok(value) = HeaderValue::from_str(&amended) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
}
