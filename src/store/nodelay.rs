//! TCP_NODELAY on the PostgreSQL connections.
//!
//! sqlx 0.9.0 opens its TCP connections without `TCP_NODELAY` (sqlx issue #4335; earlier
//! releases set it). An exchange the client sends in two writes — a `COPY`'s data, then its
//! end — then waits for the server's delayed acknowledgement of the first before Nagle's
//! algorithm lets the second out: about 40 ms each time, which made an import spend most of
//! its time waiting. Until sqlx sets it again, each new connection's sockets are given the
//! option here; remove this module when sqlx does.

/// Sets `TCP_NODELAY` on every TCP socket of this process connected to remote port `port` (the
/// database's). Idempotent; sockets of other kinds and ports are left alone.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(super) fn set_on_sockets_to(port: u16) {
    use std::mem::{size_of, zeroed};
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for entry in fds.flatten() {
        let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: getpeername and setsockopt only read and write the buffers given, whose
        // sizes are passed; on a descriptor that is not a connected socket (or was closed since
        // it was listed) they fail and nothing is changed.
        unsafe {
            let mut addr: libc::sockaddr_storage = zeroed();
            let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            if libc::getpeername(fd, (&raw mut addr).cast(), &mut len) != 0 {
                continue;
            }
            let peer_port = match i32::from(addr.ss_family) {
                libc::AF_INET => {
                    u16::from_be((*(&raw const addr).cast::<libc::sockaddr_in>()).sin_port)
                }
                libc::AF_INET6 => {
                    u16::from_be((*(&raw const addr).cast::<libc::sockaddr_in6>()).sin6_port)
                }
                _ => continue,
            };
            if peer_port != port {
                continue;
            }
            let one: libc::c_int = 1;
            libc::setsockopt(
                fd,
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&raw const one).cast(),
                size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(super) fn set_on_sockets_to(_port: u16) {}

/// The TCP port of a `postgres://` URL, read as sqlx reads it: `?port=`, then the URL's port,
/// then `PGPORT`, then 5432; `None` for other URLs.
pub(super) fn postgres_port(url: &str) -> Option<u16> {
    let u = url::Url::parse(url).ok()?;
    if !matches!(u.scheme(), "postgres" | "postgresql") {
        return None;
    }
    let in_query = u
        .query_pairs()
        .find(|(k, _)| k == "port")
        .and_then(|(_, v)| v.parse().ok());
    let from_env = || std::env::var("PGPORT").ok().and_then(|p| p.parse().ok());
    Some(in_query.or(u.port()).or_else(from_env).unwrap_or(5432))
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    fn nodelay(s: &std::net::TcpStream) -> bool {
        s.nodelay().unwrap()
    }

    #[test]
    fn sockets_to_the_database_port_get_nodelay_and_others_do_not() {
        let db = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let to_db = std::net::TcpStream::connect(db.local_addr().unwrap()).unwrap();
        let to_other = std::net::TcpStream::connect(other.local_addr().unwrap()).unwrap();
        assert!(!nodelay(&to_db) && !nodelay(&to_other));
        set_on_sockets_to(db.local_addr().unwrap().port());
        assert!(nodelay(&to_db), "the database's connection");
        assert!(!nodelay(&to_other), "another connection");
    }

    #[test]
    fn the_port_is_read_from_postgres_urls_only() {
        assert_eq!(postgres_port("postgres://u@db.example:6432/wq"), Some(6432));
        assert_eq!(
            postgres_port("postgres://u@db.example/wq?port=7432"),
            Some(7432)
        );
        assert_eq!(postgres_port("postgresql://u@127.0.0.1/wq"), Some(5432));
        assert_eq!(postgres_port("sqlite://data/weiquan.db"), None);
    }
}
