//! The [`Transport`] trait: one HTTP exchange, bytes in, bytes out.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

use crate::{BodyStream, Error};

/// The default limit on a response body, decompressed: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// Sends one HTTP request and returns the whole response.
///
/// Dyn-compatible: hold it as `Arc<dyn Transport>`. Implement it to plug in another HTTP
/// stack or a test double. A transport returns every response it receives, whatever the
/// status; turning non-2xx statuses into [`Error::Api`] is the [`Stack`](crate::Stack)'s job.
///
/// ```
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use dm_transport::{Error, Transport};
///
/// struct Teapot;
///
/// #[async_trait::async_trait]
/// impl Transport for Teapot {
///     async fn send(&self, _: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
///         Ok(http::Response::builder().status(418).body(Bytes::new()).unwrap())
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let t: Arc<dyn Transport> = Arc::new(Teapot);
/// let res = t.send(http::Request::new(Bytes::new())).await.unwrap();
/// assert_eq!(res.status(), 418);
/// # });
/// ```
#[async_trait]
pub trait Transport: Send + Sync {
    /// Sends the request.
    ///
    /// # Errors
    ///
    /// Any [`Error`] variant; transports report I/O failures, timeouts and size limits,
    /// layers add API, auth and rate-limit errors.
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error>;

    /// Sends the request and returns the response as soon as its head arrives, the body
    /// following as a [`BodyStream`] (for large downloads). The default buffers the whole
    /// body through [`Transport::send`]; [`HyperTransport`](crate::HyperTransport) streams.
    ///
    /// # Errors
    ///
    /// As [`Transport::send`], for everything up to the response head.
    async fn send_streaming(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<BodyStream>, Error> {
        Ok(self.send(request).await?.map(BodyStream::from_bytes))
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        (**self).send(request).await
    }

    async fn send_streaming(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<BodyStream>, Error> {
        (**self).send_streaming(request).await
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        (**self).send(request).await
    }

    async fn send_streaming(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<BodyStream>, Error> {
        (**self).send_streaming(request).await
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for &T {
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        (**self).send(request).await
    }

    async fn send_streaming(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<BodyStream>, Error> {
        (**self).send_streaming(request).await
    }
}
