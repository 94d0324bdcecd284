//! The HTTPS path a deployed function talks to AWS over: the one client of `AwsSettings`,
//! rustls with Amazon's roots. Its TLS connector is built at the first request (not when an SDK
//! client is constructed), so this checks that a first request does build it and speaks TLS,
//! and that a server it cannot trust is an error, not a panic.

use shared::aws::AwsSettings;
use shared::domain::RoomId;
use shared::ports::RoomStore;
use shared::store::DynamoStore;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

#[tokio::test]
async fn a_first_request_opens_tls_and_fails_cleanly_against_a_server_it_cannot_trust() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Reads what each connection opens with, then hangs up: no certificate is ever offered.
    let server = tokio::spawn(async move {
        let mut openings = Vec::new();
        while let Ok(Ok((mut socket, _))) =
            tokio::time::timeout(std::time::Duration::from_secs(2), listener.accept()).await
        {
            let mut opening = vec![0; 1024];
            let read = socket.read(&mut opening).await.unwrap_or(0);
            opening.truncate(read);
            openings.push(opening);
        }
        openings
    });

    let endpoint = format!("https://localhost:{port}");
    let store = DynamoStore::connect(&AwsSettings::local(), Some(&endpoint), "chat");
    let answer = store.get_room(RoomId::from_ulid(ulid::Ulid::new())).await;
    assert!(answer.is_err(), "no room can be read from a hung-up server");

    let openings = server.await.unwrap();
    assert!(!openings.is_empty(), "the request never reached the server");
    for opening in &openings {
        // A TLS record of type handshake (22) carrying a ClientHello (1) that names the host.
        assert_eq!(opening.first(), Some(&22), "not TLS: {opening:?}");
        assert_eq!(opening.get(5), Some(&1), "not a ClientHello: {opening:?}");
        assert!(
            opening.windows(9).any(|w| w == b"localhost"),
            "the ClientHello does not name the server"
        );
    }
}
