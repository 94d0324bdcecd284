//! Black-box tests of every REST route of API.md: local-dev on a free port, real HTTP.

mod admin;
mod assignment;
mod attachments;
mod auth;
mod canned;
mod dynamodb;
mod limits;
mod local_s3;
mod messages;
mod notes;
mod presence;
mod protocol;
mod rooms;
mod routing;
mod security;
mod team;
mod tokens;
