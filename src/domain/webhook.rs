//! Rules of the partner webhooks: the closed set of event types and who may
//! receive each, the Standard Webhooks 1.0 signature, the retry schedule and
//! which addresses a delivery may reach. Plain functions, no I/O: the caller
//! passes the clock, the jitter and the resolved addresses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

use super::{check_text, text_enum, Message, UnknownValue, Violation, ViolationCode};

text_enum! {
    /// What happened; the `type` of every webhook payload.
    EventType {
        /// A draft offer was opened to applications.
        OfferPublished => "offer.published",
        /// An open offer was closed by its organisation.
        OfferClosed => "offer.closed",
        /// The last position of an offer was taken.
        OfferFilled => "offer.filled",
        /// A student applied to an offer.
        ApplicationSubmitted => "application.submitted",
        /// A recruiter moved an application to another status.
        ApplicationStatusChanged => "application.status_changed",
        /// The student withdrew an application.
        ApplicationWithdrawn => "application.withdrawn",
        /// A placement was created from an accepted application.
        PlacementCreated => "placement.created",
        /// One party signed the placement's agreement.
        PlacementSigned => "placement.signed",
        /// Every party signed the agreement.
        PlacementFullySigned => "placement.fully_signed",
        /// The agreement was amended (a new version to sign).
        PlacementAmended => "placement.amended",
        /// The placement was terminated early.
        PlacementTerminated => "placement.terminated",
        /// A published or edited offer matches a student who asked for alerts.
        AlertMatchingOffer => "alert.matching_offer",
        /// A test event sent on demand by the subscription's owner.
        Ping => "webhook.ping",
    }
}

text_enum! {
    /// Who owns a subscription, which decides the events it may receive.
    OwnerKind {
        /// A partner portal, registered by an admin: public offer events, and
        /// events about applications whose `source` is that portal.
        PartnerPortal => "partner_portal",
        /// An organisation, registered by its recruiter: its offers, their
        /// applications and placements.
        Organisation => "organisation",
        /// A school, registered by its staff: its students' applications and
        /// placements.
        School => "school",
    }
}

text_enum! {
    /// Where a delivery stands.
    DeliveryStatus {
        /// Not yet sent, or to be retried at `next_attempt_at`.
        Pending => "pending",
        /// The receiver answered 2xx.
        Succeeded => "succeeded",
        /// Every attempt failed; kept in the log and redeliverable on demand.
        Failed => "failed",
    }
}

impl OwnerKind {
    /// Whether an owner of this kind may subscribe to events of that type.
    pub fn may_receive(self, event: EventType) -> bool {
        use EventType::*;
        match (self, event) {
            (_, Ping) => true,
            (OwnerKind::PartnerPortal, OfferPublished | OfferClosed | OfferFilled) => true,
            (OwnerKind::PartnerPortal, ApplicationSubmitted | ApplicationStatusChanged | ApplicationWithdrawn) => true,
            (OwnerKind::PartnerPortal, AlertMatchingOffer) => true,
            (OwnerKind::PartnerPortal, _) => false,
            (OwnerKind::Organisation, AlertMatchingOffer) => false,
            (OwnerKind::Organisation, _) => true,
            (OwnerKind::School, OfferPublished | OfferClosed | OfferFilled | AlertMatchingOffer) => false,
            (OwnerKind::School, _) => true,
        }
    }
}

text_enum! {
    /// Why the server disabled a subscription.
    DisabledReason {
        /// Every delivery failed for three days in a row.
        Failing => "failing",
    }
}

/// The ids a payload of this type always carries in `data`, beside `links`.
pub fn carried_ids(event: EventType) -> &'static [&'static str] {
    use EventType::*;
    match event {
        OfferPublished | OfferClosed | OfferFilled => &["offer_id"],
        ApplicationSubmitted | ApplicationStatusChanged | ApplicationWithdrawn => &["application_id", "offer_id"],
        PlacementCreated | PlacementSigned | PlacementFullySigned | PlacementAmended | PlacementTerminated => {
            &["placement_id", "application_id", "offer_id"]
        }
        AlertMatchingOffer => &["offer_id", "student_id"],
        Ping => &["subscription_id"],
    }
}

impl EventType {
    /// What a receiver is told happened, for the document's `webhooks` section.
    pub fn description(self) -> &'static str {
        use EventType::*;
        match self {
            OfferPublished => "A draft offer was opened to applications.",
            OfferClosed => "An open offer was closed by its organisation.",
            OfferFilled => "The last position of an offer was taken by an accepted application.",
            ApplicationSubmitted => "A student applied to an offer.",
            ApplicationStatusChanged => "An application moved to another status (read it for the new one).",
            ApplicationWithdrawn => "The student withdrew an application.",
            PlacementCreated => "An accepted application became a placement, with version 1 of its agreement.",
            PlacementSigned => "One party signed the placement's agreement.",
            PlacementFullySigned => "Every party signed the agreement: the placement is in force.",
            PlacementAmended => "The agreement's terms changed; after a signature, a new version to sign.",
            PlacementTerminated => "The placement was terminated before its end date.",
            AlertMatchingOffer => {
                "A published or edited offer matches a student who asked for alerts through this partner portal."
            }
            Ping => "A test event, sent on demand by the subscription's owner.",
        }
    }
}

/// A subscription as its owner registers it. The owner is the caller: an
/// admin registers partner portals, a recruiter their organisation, school
/// staff their school.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookDraft {
    /// For a partner portal, its name as its applications carry it in
    /// `source`: events about those applications reach it. 1 to 100 characters.
    #[schema(example = "jobs-portal", min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// Where deliveries are POSTed: `https://` (or `http://` outside
    /// production), a public address, no user name or password, no fragment.
    #[schema(example = "https://hooks.example.org/passerelle", max_length = 2000)]
    pub url: String,
    /// The event types to receive; absent or empty: every type its owner may receive.
    #[serde(default)]
    #[schema(max_items = 13)]
    pub events: Vec<EventType>,
}

/// Fields to change; absent ones are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: Option<String>,
    #[schema(max_length = 2000)]
    pub url: Option<String>,
    /// Replaces the list; empty: every type its owner may receive.
    #[schema(max_items = 13)]
    pub events: Option<Vec<EventType>>,
    /// `false` pauses deliveries (they wait); `true` resumes them and clears
    /// the reason a disabled subscription was stopped for.
    pub enabled: Option<bool>,
}

impl WebhookDraft {
    /// The draft with the patch's fields put in.
    pub fn patched(self, patch: &WebhookPatch) -> Self {
        Self {
            name: patch.name.clone().unwrap_or(self.name),
            url: patch.url.clone().unwrap_or(self.url),
            events: patch.events.clone().unwrap_or(self.events),
        }
    }
}

/// Longest subscription name: the longest application `source`.
pub const NAME_CHARS: usize = 100;

/// Longest receiver URL.
pub const URL_CHARS: usize = 2000;

/// How receivers may be addressed where the service runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlRules {
    /// Production takes `https://` only.
    pub https_only: bool,
    /// `webhooks.allow_loopback`.
    pub allow_loopback: bool,
}

/// The rules a subscription breaks, naming each field.
pub fn validate_webhook(draft: &WebhookDraft, owner: OwnerKind, rules: UrlRules) -> Vec<Violation> {
    let mut out = Vec::new();
    check_text("name", &draft.name, 1, NAME_CHARS, &mut out);
    if let Some(violation) = check_url(&draft.url, rules) {
        out.push(violation);
    }
    for (i, event) in draft.events.iter().enumerate() {
        let field = format!("events[{i}]");
        if !owner.may_receive(*event) {
            out.push(Violation::new(
                field,
                ViolationCode::NotAllowed,
                Message::new("webhook-event-not-for-owner").arg("event", event.as_str()).arg("owner", owner.as_str()),
            ));
        } else if draft.events[..i].contains(event) {
            out.push(Violation::new(field, ViolationCode::Duplicate, Message::new("webhook-event-listed-twice")));
        }
    }
    out
}

/// What is wrong with a receiver URL, if anything. A host given as an
/// address is judged here by the SSRF rule; a host name is judged at each
/// delivery on the addresses it resolves to then.
fn check_url(text: &str, rules: UrlRules) -> Option<Violation> {
    let refuse = |code, message: Message| Some(Violation::new("url", code, message));
    if text.chars().count() > URL_CHARS {
        return refuse(ViolationCode::TooLong, Message::new("too-long").arg("max", URL_CHARS));
    }
    let Ok(url) = url::Url::parse(text.trim()) else {
        return refuse(ViolationCode::InvalidFormat, Message::new("webhook-url-not-absolute"));
    };
    let https_only = rules.https_only;
    match url.scheme() {
        "https" => {}
        "http" if !https_only => {}
        _ => {
            return refuse(
                ViolationCode::NotAllowed,
                Message::new(if https_only { "webhook-url-https-only" } else { "webhook-url-http-or-https" }),
            )
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse(ViolationCode::NotAllowed, Message::new("webhook-url-credentials"));
    }
    if url.fragment().is_some() {
        return refuse(ViolationCode::NotAllowed, Message::new("webhook-url-fragment"));
    }
    let address = match url.host() {
        None => return refuse(ViolationCode::InvalidFormat, Message::new("webhook-url-not-absolute")),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name != "localhost" && !name.ends_with(".localhost") {
                return None;
            }
            IpAddr::V6(Ipv6Addr::LOCALHOST)
        }
    };
    if may_reach(address, rules.allow_loopback) {
        return None;
    }
    refuse(
        ViolationCode::NotAllowed,
        Message::new("webhook-url-address-refused").arg("class", classify(address).as_str()),
    )
}

/// Prefix of a signing secret, as the Standard Webhooks libraries expect it.
pub const SECRET_PREFIX: &str = "whsec_";

/// Prefix of a `webhook-id`.
pub const MESSAGE_ID_PREFIX: &str = "msg_";

/// How long the former secret keeps signing after a rotation.
pub const ROTATION_OVERLAP: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// A subscription failing without a success for this long is disabled.
pub const DISABLE_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(3);

/// A secret that is not `whsec_` followed by base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a webhook secret is `whsec_` followed by base64")]
pub struct MalformedSecret;

/// The signing secret made of these random bytes (24 bytes: 192 bits, within
/// the 24–64 bytes the specification recommends).
pub fn secret_from_bytes(bytes: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The HMAC key of a secret: the base64-decoded part after `whsec_`.
fn key_of(secret: &str) -> Result<Vec<u8>, MalformedSecret> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).ok_or(MalformedSecret)?;
    STANDARD.decode(encoded).map_err(|_| MalformedSecret)
}

/// One `v1,<base64>` signature of `{id}.{timestamp}.{body}`.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, MalformedSecret> {
    let key = key_of(secret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| MalformedSecret)?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header: one signature per secret, space-separated.
pub fn signature_header(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> Result<String, MalformedSecret> {
    let signatures =
        secrets.iter().map(|secret| signature(secret, id, timestamp, body)).collect::<Result<Vec<_>, _>>()?;
    Ok(signatures.join(" "))
}

/// The secrets that sign at `now`: the current one, and the former one while
/// the rotation overlap lasts.
pub fn signing_secrets<'a>(
    current: &'a str,
    previous: Option<&'a str>,
    previous_expires_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Vec<&'a str> {
    let mut secrets = vec![current];
    if let (Some(previous), Some(expires_at)) = (previous, previous_expires_at) {
        if now < expires_at {
            secrets.push(previous);
        }
    }
    secrets
}

/// Attempts before a delivery is `failed`: with the schedule below they span
/// about a day.
pub const MAX_ATTEMPTS: i32 = 15;

/// Delay before the first retry, doubling with each failure.
const FIRST_RETRY: Duration = Duration::from_secs(10);

/// Longest delay between two attempts.
const LONGEST_RETRY: Duration = Duration::from_secs(6 * 3600);

/// Delay before the next attempt once `attempts` have failed, or `None` when
/// the delivery has used all its attempts and is `failed`. `jitter` in
/// [0, 1) spreads retries over ±20 % so receivers coming back are not hit by
/// every sender at once; `scale` shrinks the schedule (1.0 in production,
/// tiny in tests).
pub fn retry_delay(attempts: i32, jitter: f64, scale: f64) -> Option<Duration> {
    if !(1..MAX_ATTEMPTS).contains(&attempts) {
        return None;
    }
    let doublings = u32::try_from(attempts - 1).unwrap_or(0).min(20);
    let base = FIRST_RETRY.saturating_mul(1 << doublings).min(LONGEST_RETRY);
    let spread = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    Some(base.mul_f64(spread * scale.max(0.0)))
}

/// Whether a subscription failing since `failing_since` must be disabled at `now`.
pub fn should_disable(failing_since: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    failing_since.is_some_and(|since| now - since >= DISABLE_AFTER)
}

/// Whether a receiver's answer counts as delivered.
pub fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

text_enum! {
    /// The kind of network an address belongs to, for the SSRF rule.
    AddressClass {
        /// Reachable on the internet: always allowed.
        Public => "public",
        /// 127/8, ::1: allowed only with `webhooks.allow_loopback`.
        Loopback => "loopback",
        /// 10/8, 172.16/12, 192.168/16, fc00::/7.
        Private => "private",
        /// 169.254/16 (includes the 169.254.169.254 metadata service), fe80::/10.
        LinkLocal => "link_local",
        /// 0.0.0.0/8, ::.
        Unspecified => "unspecified",
        /// 100.64/10, carrier-grade NAT.
        SharedAddressSpace => "shared_address_space",
        /// 224/4, ff00::/8, and the broadcast address.
        Multicast => "multicast",
        /// 240/4 and documentation or benchmarking ranges: never routed.
        Reserved => "reserved",
    }
}

/// The network `ip` belongs to. IPv4 addresses mapped into IPv6 are judged as
/// the IPv4 address they carry.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (0, _, _) => AddressClass::Unspecified,
        (127, _, _) => AddressClass::Loopback,
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => AddressClass::Private,
        (169, 254, _) => AddressClass::LinkLocal,
        (100, 64..=127, _) => AddressClass::SharedAddressSpace,
        (224..=239, _, _) => AddressClass::Multicast,
        _ if ip.is_broadcast() => AddressClass::Multicast,
        (240..=255, _, _) => AddressClass::Reserved,
        (192, 0, 0) | (192, 0, 2) | (198, 18..=19, _) | (198, 51, 100) | (203, 0, 113) => AddressClass::Reserved,
        _ => AddressClass::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let first = ip.segments()[0];
    if ip.is_unspecified() {
        AddressClass::Unspecified
    } else if ip.is_loopback() {
        AddressClass::Loopback
    } else if first & 0xfe00 == 0xfc00 {
        AddressClass::Private
    } else if first & 0xffc0 == 0xfe80 {
        AddressClass::LinkLocal
    } else if first & 0xff00 == 0xff00 {
        AddressClass::Multicast
    } else if first == 0x2001 && ip.segments()[1] == 0x0db8 {
        AddressClass::Reserved
    } else {
        AddressClass::Public
    }
}

/// Whether a delivery may go to `ip`.
pub fn may_reach(ip: IpAddr, allow_loopback: bool) -> bool {
    match classify(ip) {
        AddressClass::Public => true,
        AddressClass::Loopback => allow_loopback,
        _ => false,
    }
}

/// The links of a payload: where the receiver fetches the resource with its
/// own credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventLinks {
    /// Path of the resource in this API, e.g. `/api/v1/offers/12`.
    #[serde(rename = "self")]
    #[schema(example = "/api/v1/offers/12")]
    pub self_link: String,
}

/// The ids an event is about; only those that apply are present. No personal
/// data: the receiver reads the resource with its own rights.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventIds {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub student_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<i64>,
}

/// `data` of a payload: the ids and the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventData {
    #[serde(flatten)]
    pub ids: EventIds,
    pub links: EventLinks,
}

/// The body of every delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventPayload {
    /// The `webhook-id`, the same on every attempt: receivers deduplicate on it.
    #[schema(example = "msg_0193a8f2c4b07d2e9c1f5a6b3d4e8f01")]
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When the change was committed, RFC 3339.
    pub timestamp: chrono::DateTime<chrono::Utc>,
    pub data: EventData,
}

/// The `webhook-id` made of a UUID v7, so ids sort by time.
pub fn message_id(uuid: uuid::Uuid) -> String {
    format!("{MESSAGE_ID_PREFIX}{}", uuid.simple())
}

/// The resource path an event links to.
pub fn self_link(event: EventType, ids: &EventIds) -> String {
    use EventType::*;
    match event {
        OfferPublished | OfferClosed | OfferFilled | AlertMatchingOffer => {
            format!("/api/v1/offers/{}", ids.offer_id.unwrap_or_default())
        }
        ApplicationSubmitted | ApplicationStatusChanged | ApplicationWithdrawn => {
            format!("/api/v1/applications/{}", ids.application_id.unwrap_or_default())
        }
        PlacementCreated | PlacementSigned | PlacementFullySigned | PlacementAmended | PlacementTerminated => {
            format!("/api/v1/placements/{}", ids.placement_id.unwrap_or_default())
        }
        Ping => format!("/api/v1/webhooks/{}", ids.subscription_id.unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 2).and_then(|d| d.and_hms_opt(hour, 0, 0)).expect("valid time")
    }

    /// The test vector published with the Standard Webhooks reference
    /// libraries: reproducing it says a receiver's library accepts ours.
    #[test]
    fn signature_matches_the_standard_webhooks_test_vector() {
        let signed = signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signed.as_deref(), Ok("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
    }

    #[test]
    fn during_the_overlap_both_secrets_sign_space_separated() {
        let new = secret_from_bytes(&[7; 24]);
        let old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let secrets = signing_secrets(&new, Some(old), Some(at(12)), at(11));
        assert_eq!(secrets, [new.as_str(), old]);
        let header =
            signature_header(&secrets, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, br#"{"test": 2432232314}"#)
                .expect("valid secrets");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(parts[0].starts_with("v1,") && parts[0] != parts[1]);
    }

    #[test]
    fn the_former_secret_stops_signing_when_the_overlap_ends() {
        let table = [(at(11), 2), (at(12), 1), (at(13), 1)];
        for (now, count) in table {
            assert_eq!(signing_secrets("whsec_a", Some("whsec_b"), Some(at(12)), now).len(), count, "at {now}");
        }
        assert_eq!(signing_secrets("whsec_a", None, None, at(11)), ["whsec_a"]);
    }

    #[test]
    fn malformed_secrets_are_refused() {
        for secret in ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", ""] {
            assert_eq!(signature(secret, "msg_1", 1, b"{}"), Err(MalformedSecret), "{secret:?}");
        }
    }

    #[test]
    fn retries_back_off_exponentially_for_about_a_day_then_fail() {
        // (failed attempts, delay in seconds without jitter)
        let table =
            [(1, 10), (2, 20), (3, 40), (5, 160), (8, 1280), (11, 10240), (12, 20480), (13, 21600), (14, 21600)];
        for (attempts, seconds) in table {
            assert_eq!(retry_delay(attempts, 0.5, 1.0), Some(Duration::from_secs(seconds)), "after {attempts}");
        }
        assert_eq!(retry_delay(MAX_ATTEMPTS, 0.5, 1.0), None);
        assert_eq!(retry_delay(0, 0.5, 1.0), None);
        let total: Duration = (1..MAX_ATTEMPTS).filter_map(|n| retry_delay(n, 0.5, 1.0)).sum();
        assert!(total > Duration::from_secs(20 * 3600) && total < Duration::from_secs(28 * 3600), "{total:?}");
    }

    #[test]
    fn jitter_spreads_within_twenty_percent_and_scale_shrinks() {
        assert_eq!(retry_delay(1, 0.0, 1.0), Some(Duration::from_secs(8)));
        assert_eq!(retry_delay(1, 1.0, 1.0), Some(Duration::from_secs(12)));
        assert_eq!(retry_delay(1, 0.5, 0.001), Some(Duration::from_millis(10)));
    }

    #[test]
    fn a_subscription_failing_for_three_days_is_disabled() {
        let now = at(12);
        let table = [
            (None, false),
            (Some(now - chrono::TimeDelta::hours(71)), false),
            (Some(now - chrono::TimeDelta::hours(72)), true),
            (Some(now - chrono::TimeDelta::days(5)), true),
        ];
        for (since, disabled) in table {
            assert_eq!(should_disable(since, now), disabled, "{since:?}");
        }
    }

    #[test]
    fn addresses_are_classified_for_the_ssrf_rule() {
        use AddressClass::*;
        let table: [(&str, AddressClass); 22] = [
            ("93.184.216.34", Public),
            ("8.8.8.8", Public),
            ("127.0.0.1", Loopback),
            ("127.255.0.9", Loopback),
            ("10.1.2.3", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("172.32.0.1", Public),
            ("192.168.1.1", Private),
            ("169.254.169.254", LinkLocal),
            ("0.0.0.0", Unspecified),
            ("100.64.0.1", SharedAddressSpace),
            ("100.128.0.1", Public),
            ("224.0.0.1", Multicast),
            ("255.255.255.255", Multicast),
            ("::1", Loopback),
            ("::", Unspecified),
            ("fd12::1", Private),
            ("fe80::1", LinkLocal),
            ("ff02::1", Multicast),
            ("::ffff:127.0.0.1", Loopback),
            ("2606:4700::1111", Public),
        ];
        for (text, class) in table {
            let ip: IpAddr = text.parse().expect("valid address");
            assert_eq!(classify(ip), class, "{text}");
        }
    }

    #[test]
    fn only_public_addresses_are_reached_and_loopback_when_allowed() {
        let table = [
            ("93.184.216.34", false, true),
            ("127.0.0.1", false, false),
            ("127.0.0.1", true, true),
            ("::1", true, true),
            ("169.254.169.254", true, false),
            ("10.0.0.1", true, false),
        ];
        for (text, allow_loopback, allowed) in table {
            let ip: IpAddr = text.parse().expect("valid address");
            assert_eq!(may_reach(ip, allow_loopback), allowed, "{text} allow_loopback={allow_loopback}");
        }
    }

    #[test]
    fn owners_receive_only_their_kind_of_events() {
        use EventType::*;
        let table = [
            (OwnerKind::PartnerPortal, OfferPublished, true),
            (OwnerKind::PartnerPortal, ApplicationSubmitted, true),
            (OwnerKind::PartnerPortal, PlacementCreated, false),
            (OwnerKind::Organisation, PlacementSigned, true),
            (OwnerKind::Organisation, AlertMatchingOffer, false),
            (OwnerKind::School, OfferPublished, false),
            (OwnerKind::School, PlacementTerminated, true),
            (OwnerKind::School, Ping, true),
        ];
        for (owner, event, allowed) in table {
            assert_eq!(owner.may_receive(event), allowed, "{owner} {event}");
        }
    }

    #[test]
    fn receiver_urls_are_checked_for_scheme_credentials_and_address() {
        let development = UrlRules { https_only: false, allow_loopback: false };
        let production = UrlRules { https_only: true, allow_loopback: false };
        let loopback = UrlRules { https_only: false, allow_loopback: true };
        // (url, rules, broken rule)
        let table: [(&str, UrlRules, Option<&str>); 16] = [
            ("https://hooks.example.org/passerelle", production, None),
            ("http://hooks.example.org/passerelle", development, None),
            ("http://hooks.example.org/passerelle", production, Some("not_allowed")),
            ("ftp://hooks.example.org/", development, Some("not_allowed")),
            ("hooks.example.org/passerelle", development, Some("invalid_format")),
            ("", development, Some("invalid_format")),
            ("https://user:secret@hooks.example.org/", production, Some("not_allowed")),
            ("https://hooks.example.org/#part", production, Some("not_allowed")),
            ("https://10.0.0.7/hook", production, Some("not_allowed")),
            ("https://169.254.169.254/latest/meta-data", production, Some("not_allowed")),
            ("https://[::ffff:192.168.1.1]/", production, Some("not_allowed")),
            ("http://127.0.0.1:9000/hook", development, Some("not_allowed")),
            ("http://localhost:9000/hook", development, Some("not_allowed")),
            ("http://127.0.0.1:9000/hook", loopback, None),
            ("http://localhost:9000/hook", loopback, None),
            ("https://93.184.216.34/hook", production, None),
        ];
        for (url, rules, broken) in table {
            let draft = WebhookDraft { name: "portal".into(), url: url.into(), events: vec![] };
            let codes: Vec<&str> =
                validate_webhook(&draft, OwnerKind::PartnerPortal, rules).iter().map(|v| v.code.as_str()).collect();
            assert_eq!(codes, broken.into_iter().collect::<Vec<_>>(), "{url}");
        }
    }

    #[test]
    fn subscriptions_name_only_events_their_owner_receives_once_each() {
        use EventType::*;
        let rules = UrlRules { https_only: true, allow_loopback: false };
        let table: [(OwnerKind, Vec<EventType>, &[&str]); 4] = [
            (OwnerKind::School, vec![PlacementSigned, ApplicationSubmitted], &[]),
            (OwnerKind::School, vec![OfferPublished], &["events[0]"]),
            (OwnerKind::Organisation, vec![OfferClosed, OfferClosed], &["events[1]"]),
            (OwnerKind::PartnerPortal, vec![OfferPublished, PlacementCreated], &["events[1]"]),
        ];
        for (owner, events, fields) in table {
            let draft = WebhookDraft { name: "HR".into(), url: "https://hr.example.org/in".into(), events };
            let broken: Vec<String> = validate_webhook(&draft, owner, rules).into_iter().map(|v| v.field).collect();
            assert_eq!(broken, fields, "{owner}");
        }
        let blank = WebhookDraft { name: "  ".into(), url: "https://hr.example.org/in".into(), events: vec![] };
        assert_eq!(validate_webhook(&blank, OwnerKind::School, rules).len(), 1);
    }

    #[test]
    fn every_event_type_carries_the_ids_its_link_needs() {
        for event in EventType::ALL {
            let ids = carried_ids(*event);
            assert!(!ids.is_empty(), "{event}");
            let all = EventIds {
                offer_id: Some(1),
                application_id: Some(2),
                placement_id: Some(3),
                student_id: Some(4),
                subscription_id: Some(5),
            };
            let link = self_link(*event, &all);
            let linked = link.rsplit('/').next().and_then(|id| id.parse::<i64>().ok());
            let named = serde_json::to_value(&all).ok().and_then(|v| v.get(ids[0]).and_then(|id| id.as_i64()));
            assert_eq!(linked, named, "{event}: the link names the first id carried");
        }
    }

    #[test]
    fn payloads_are_thin_and_link_to_the_resource() {
        let ids = EventIds { application_id: Some(42), offer_id: Some(7), ..EventIds::default() };
        let payload = EventPayload {
            id: message_id(uuid::Uuid::nil()),
            event_type: EventType::ApplicationSubmitted,
            timestamp: chrono::DateTime::from_timestamp(1_614_265_330, 0).expect("valid time"),
            data: EventData { links: EventLinks { self_link: self_link(EventType::ApplicationSubmitted, &ids) }, ids },
        };
        let json = serde_json::to_value(&payload).expect("serialisable");
        assert_eq!(
            json,
            serde_json::json!({
                "id": "msg_00000000000000000000000000000000",
                "type": "application.submitted",
                "timestamp": "2021-02-25T15:02:10Z",
                "data": {"offer_id": 7, "application_id": 42, "links": {"self": "/api/v1/applications/42"}}
            })
        );
    }
}
