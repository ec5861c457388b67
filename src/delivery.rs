//! The webhook delivery worker: claims due deliveries from the outbox, sends
//! them signed to their receivers, and records each attempt with its next
//! retry. Every server process may run one; the claim's lease shares the work
//! between them, and a lease that runs out (a crashed process) hands the
//! delivery to another worker, so delivery is at least once.
//!
//! The receiver's address is checked where the connection is made: the
//! resolver refuses a host unless every address it resolves to may be
//! reached, and the connection goes to one of the addresses it checked, so a
//! name that resolves differently a second time (DNS rebinding) gains nothing.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, Utc};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tokio::task::JoinSet;

use crate::config::WebhookSettings;
use crate::db::Pool;
use crate::domain::webhook::{
    classify, is_success, may_reach, retry_delay, should_disable, signature_header, signing_secrets, AddressClass,
    DeliveryStatus, DisabledReason, DISABLE_AFTER,
};
use crate::store::webhooks::{claim_due, disable_subscription, record_attempt, Attempt, DueDelivery};

/// The `user-agent` of every delivery.
pub const USER_AGENT: &str = concat!("Passerelle-Webhooks/", env!("CARGO_PKG_VERSION"));

/// How much of a receiver's answer is read (and thrown away) so that its
/// connection can serve the next delivery; a longer answer closes it.
const DRAINED_BYTES: usize = 64 * 1024;

/// Starts the worker on the current runtime. Aborting the handle stops it; a
/// delivery cut short keeps its claim until the lease ends, then another
/// worker sends it again with the same `webhook-id`.
pub fn spawn(pool: Pool, settings: WebhookSettings) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let client = client(&settings)?;
    Ok(tokio::spawn(run(pool, client, Arc::new(settings))))
}

/// One client for every delivery: its pool keeps connections to receivers
/// open between deliveries.
fn client(settings: &WebhookSettings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(settings.timeout_seconds))
        // A redirect could lead past the address check; a 3xx is a failure.
        .redirect(reqwest::redirect::Policy::none())
        // A proxy would make the connection, not us, after our check.
        .no_proxy()
        .dns_resolver(Arc::new(CheckedResolver { allow_loopback: settings.allow_loopback }))
        .user_agent(USER_AGENT)
        .build()
}

async fn run(pool: Pool, client: reqwest::Client, settings: Arc<WebhookSettings>) {
    let poll = Duration::from_millis(settings.poll_interval_ms.max(1));
    let mut failing = false;
    loop {
        match claim(pool.clone(), &settings).await {
            Ok(batch) if !batch.is_empty() => {
                failing = false;
                let mut sending = JoinSet::new();
                for delivery in batch {
                    sending.spawn(deliver(pool.clone(), client.clone(), settings.clone(), delivery));
                }
                while let Some(done) = sending.join_next().await {
                    if let Ok(Err(error)) = done {
                        tracing::warn!(error = %error, "delivery attempt not recorded; retried when its lease ends");
                    }
                }
                // Something was due: more may be; look again at once.
                continue;
            }
            Ok(_) => failing = false,
            Err(error) if !failing => {
                failing = true;
                tracing::warn!(error = %error, "webhook deliveries unreadable; retrying");
            }
            Err(_) => {}
        }
        tokio::time::sleep(poll).await;
    }
}

/// How long a claim holds: one attempt's time-out and a margin for recording
/// it. Bounded, so that an absurd time-out cannot push the lease past the clock.
fn lease(settings: &WebhookSettings) -> chrono::TimeDelta {
    let timeout = i64::try_from(settings.timeout_seconds.min(3_600)).unwrap_or(3_600);
    chrono::TimeDelta::seconds(timeout + 30)
}

async fn claim(pool: Pool, settings: &WebhookSettings) -> anyhow::Result<Vec<DueDelivery>> {
    let (lease, limit) = (lease(settings), settings.batch_size.max(1));
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<DueDelivery>> {
        let mut conn = pool.get()?;
        let now = Utc::now().naive_utc();
        Ok(claim_due(&mut conn, now, now + lease, limit)?)
    })
    .await?
}

/// Sends one delivery and records the attempt; disables the subscription
/// when it has failed for too long.
async fn deliver(
    pool: Pool,
    client: reqwest::Client,
    settings: Arc<WebhookSettings>,
    delivery: DueDelivery,
) -> anyhow::Result<()> {
    let at = Utc::now();
    let started = Instant::now();
    let answer = send(&client, &settings, &delivery, at.timestamp()).await;
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let now = at.naive_utc();
    let (status, next_attempt_at) =
        next_step(answer.is_ok(), delivery.attempts + 1, rand::random(), settings.retry_scale, now);
    let error = answer.as_ref().err().map(|failure| failure.text.clone());
    let response_code = match &answer {
        Ok(code) => Some(*code),
        Err(failure) => failure.code,
    };
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn = pool.get()?;
        let attempt = Attempt { at: now, response_code, error: error.as_deref(), duration_ms, status, next_attempt_at };
        let failing_since = record_attempt(&mut conn, &delivery, &attempt)?;
        if should_disable(failing_since, now) {
            disable_subscription(&mut conn, delivery.subscription_id, DisabledReason::Failing)?;
            tracing::warn!(
                subscription = delivery.subscription_id,
                failing_since = ?failing_since,
                last_error = error.as_deref().unwrap_or_default(),
                "webhook subscription disabled: every delivery failed for {} days",
                DISABLE_AFTER.num_days()
            );
        }
        Ok(())
    })
    .await?
}

/// The status and next attempt of a delivery whose attempt number `attempts`
/// succeeded or not: retried on the backoff schedule until `failed`.
fn next_step(
    succeeded: bool,
    attempts: i32,
    jitter: f64,
    scale: f64,
    now: NaiveDateTime,
) -> (DeliveryStatus, NaiveDateTime) {
    if succeeded {
        return (DeliveryStatus::Succeeded, now);
    }
    match retry_delay(attempts, jitter, scale).and_then(|delay| chrono::TimeDelta::from_std(delay).ok()) {
        Some(delay) => (DeliveryStatus::Pending, now + delay),
        None => (DeliveryStatus::Failed, now),
    }
}

/// An attempt that did not succeed: the receiver's status if it answered,
/// and what went wrong, without anything of the receiver's body.
#[derive(Debug)]
struct Failure {
    code: Option<i32>,
    text: String,
}

impl Failure {
    fn new(text: impl Into<String>) -> Self {
        Self { code: None, text: text.into() }
    }
}

/// Sends the delivery; the receiver's status when it is a success.
async fn send(
    client: &reqwest::Client,
    settings: &WebhookSettings,
    delivery: &DueDelivery,
    timestamp: i64,
) -> Result<i32, Failure> {
    let url = reqwest::Url::parse(&delivery.url).map_err(|e| Failure::new(format!("the URL is not valid: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Failure::new(format!("the URL's scheme {} is not http or https", url.scheme())));
    }
    // An address in the URL is never resolved: check it here.
    let host = url.host_str().unwrap_or_default();
    let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        refuse(ip, settings.allow_loopback).map_err(|refused| Failure::new(refused.to_string()))?;
    }
    let secrets = signing_secrets(
        &delivery.secret,
        delivery.previous_secret.as_deref(),
        delivery.previous_secret_expires_at,
        Utc::now().naive_utc(),
    );
    let signature = signature_header(&secrets, &delivery.event_id, timestamp, delivery.payload.as_bytes())
        .map_err(|e| Failure::new(format!("the subscription's secret cannot sign: {e}")))?;
    let mut response = client
        .post(url)
        .header("webhook-id", &delivery.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(delivery.payload.clone())
        .send()
        .await
        .map_err(|e| Failure::new(describe(&e, settings.timeout_seconds)))?;
    let status = response.status().as_u16();
    let mut drained = 0;
    while drained <= DRAINED_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => drained += chunk.len(),
            _ => break,
        }
    }
    let code = i32::from(status);
    if is_success(status) {
        return Ok(code);
    }
    let text = if response.status().is_redirection() {
        format!("the receiver answered {status}; redirects are not followed")
    } else {
        format!("the receiver answered {status}")
    };
    Err(Failure { code: Some(code), text })
}

/// What went wrong with a request that got no answer, in the owner's terms.
fn describe(error: &reqwest::Error, timeout_seconds: u64) -> String {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if let Some(refused) = current.downcast_ref::<Refused>() {
            return refused.to_string();
        }
        cause = current.source();
    }
    if error.is_timeout() {
        return format!("no answer within {timeout_seconds} s");
    }
    let mut innermost: &dyn std::error::Error = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    if error.is_connect() {
        format!("could not connect to the receiver: {innermost}")
    } else {
        format!("the request failed: {innermost}")
    }
}

/// An address the SSRF rule refuses.
#[derive(Debug)]
struct Refused {
    ip: IpAddr,
    class: AddressClass,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (ip, class) = (self.ip, self.class.as_str().replace('_', "-"));
        write!(f, "address {ip} is {class}: deliveries go to public addresses only")?;
        if self.class == AddressClass::Loopback {
            f.write_str(" (loopback receivers need webhooks.allow_loopback)")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refused {}

fn refuse(ip: IpAddr, allow_loopback: bool) -> Result<(), Refused> {
    if may_reach(ip, allow_loopback) {
        Ok(())
    } else {
        Err(Refused { ip, class: classify(ip) })
    }
}

/// Resolves receivers' hosts and keeps them only if every address may be
/// reached: the connection is then made to an address checked here.
struct CheckedResolver {
    allow_loopback: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            for address in &addresses {
                refuse(address.ip(), allow_loopback)?;
            }
            let addresses: Addrs = Box::new(addresses.into_iter());
            Ok(addresses)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_764_000_000 + seconds, 0).expect("valid time").naive_utc()
    }

    #[test]
    fn a_failed_attempt_is_retried_on_the_schedule_until_the_last() {
        use DeliveryStatus::*;
        let table = [
            (true, 1, 0.5, 1.0, (Succeeded, at(0))),
            (true, 15, 0.5, 1.0, (Succeeded, at(0))),
            (false, 1, 0.5, 1.0, (Pending, at(10))),
            (false, 2, 0.5, 1.0, (Pending, at(20))),
            (false, 1, 0.0, 1.0, (Pending, at(8))),
            (false, 1, 0.5, 0.1, (Pending, at(1))),
            (false, 14, 0.5, 1.0, (Pending, at(6 * 3600))),
            (false, 15, 0.5, 1.0, (Failed, at(0))),
        ];
        for (succeeded, attempts, jitter, scale, expected) in table {
            assert_eq!(next_step(succeeded, attempts, jitter, scale, at(0)), expected, "{succeeded} {attempts}");
        }
    }

    #[test]
    fn refusals_name_the_address_and_its_kind() {
        let table = [
            ("10.0.0.1", false, Some("address 10.0.0.1 is private: deliveries go to public addresses only")),
            (
                "127.0.0.1",
                false,
                Some(
                    "address 127.0.0.1 is loopback: deliveries go to public addresses only \
                     (loopback receivers need webhooks.allow_loopback)",
                ),
            ),
            ("127.0.0.1", true, None),
            (
                "169.254.169.254",
                true,
                Some("address 169.254.169.254 is link-local: deliveries go to public addresses only"),
            ),
            ("93.184.216.34", false, None),
        ];
        for (text, allow_loopback, expected) in table {
            let ip: IpAddr = text.parse().expect("valid address");
            let refused = refuse(ip, allow_loopback).err().map(|r| r.to_string());
            assert_eq!(refused.as_deref(), expected, "{text}");
        }
    }
}
