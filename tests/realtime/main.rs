//! Black-box tests of the real-time side: WebSockets through local-dev's emulation of API
//! Gateway, in both path styles, and its Management API with the real AWS SDK client.

mod connect;
mod frames;
mod live;
mod management;
