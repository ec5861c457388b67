//! Settings: built-in defaults < optional TOML file < `PASSERELLE_*` environment
//! variables (nested keys with a double underscore: `PASSERELLE_AUTH__ACCESS_TTL_SECONDS`).

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::auth::password::PasswordParams;
use crate::i18n::Lang;

/// Whether the service runs for development or production; production refuses
/// unsafe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Development,
    Production,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Every setting of the service.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub environment: Environment,
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST:PORT/DB`.
    pub database_url: String,
    /// Address and port to listen on.
    pub bind: String,
    pub pool_size: u32,
    /// Seconds to wait for a pooled connection before answering 503.
    pub pool_timeout_seconds: u64,
    /// Defaults to `pretty` in development and `json` in production.
    pub log_format: Option<LogFormat>,
    /// Comma-separated origins of the partner portals allowed by CORS.
    pub cors_origins: String,
    /// Largest accepted JSON body.
    pub json_body_limit_bytes: usize,
    /// Largest accepted CSV roster body.
    pub csv_body_limit_bytes: usize,
    /// Directory for files the service keeps (the development signing key).
    pub data_dir: PathBuf,
    /// Load the demo data set at start when the database holds no account.
    pub demo: bool,
    /// Directory of the agreement articles (`{kind}.{language}.md`) that
    /// replace the embedded ones; read at each new document.
    pub agreement_templates_dir: Option<PathBuf>,
    /// The language of answers to requests whose `Accept-Language` names
    /// none of the service's languages (`fr` or `en`).
    pub default_language: Lang,
    pub auth: AuthSettings,
    /// Per-caller rate limit and request time limit.
    pub limits: crate::limits::LimitSettings,
    /// Delivery of partner webhooks.
    pub webhooks: WebhookSettings,
}

/// Delivery of partner webhooks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Run a delivery worker in this process. Every process may run one: they
    /// share the work through the database.
    pub deliver: bool,
    /// Allow receivers on 127.0.0.0/8 and ::1 (a receiver on the same machine,
    /// in development and tests). Private, link-local and other non-public
    /// addresses are always refused. Production refuses to start with it on
    /// (see [`WebhookSettings::check`]): a loopback receiver there would let a
    /// subscription reach the server's own services.
    pub allow_loopback: bool,
    /// Milliseconds between two looks for due deliveries when none is waiting.
    pub poll_interval_ms: u64,
    /// Seconds a receiver has to answer one attempt.
    pub timeout_seconds: u64,
    /// Deliveries claimed at once by one worker.
    pub batch_size: i64,
    /// Multiplies the retry schedule (1.0: 10 s doubling up to 6 h, about a
    /// day in all); tests shrink it.
    pub retry_scale: f64,
}

/// Why production refuses to start with loopback receivers allowed.
pub const LOOPBACK_IN_PRODUCTION: &str = "production refuses webhook receivers on loopback addresses: \
unset PASSERELLE_WEBHOOKS__ALLOW_LOOPBACK (or set it to false); it is meant for development and tests";

impl WebhookSettings {
    /// Refuses settings that would weaken the SSRF rule in production.
    pub fn check(&self, environment: Environment) -> Result<(), &'static str> {
        if environment == Environment::Production && self.allow_loopback {
            return Err(LOOPBACK_IN_PRODUCTION);
        }
        Ok(())
    }
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            deliver: true,
            allow_loopback: false,
            poll_interval_ms: 500,
            timeout_seconds: 10,
            batch_size: 32,
            retry_scale: 1.0,
        }
    }
}

/// Tokens, passwords and login throttling.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Comma-separated `kid:secret` pairs; the first signs, all verify.
    pub signing_keys: Option<String>,
    pub issuer: String,
    pub audience: String,
    pub access_ttl_seconds: i64,
    pub refresh_ttl_days: i64,
    pub activation_ttl_hours: i64,
    pub password: PasswordParams,
    /// Login attempts allowed per account and per client address in one minute.
    pub login_attempts_per_minute: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            environment: Environment::Development,
            database_url: "sqlite://data/passerelle.db".into(),
            bind: "127.0.0.1:8080".into(),
            pool_size: 10,
            pool_timeout_seconds: 3,
            log_format: None,
            cors_origins: String::new(),
            json_body_limit_bytes: 256 * 1024,
            csv_body_limit_bytes: 16 * 1024 * 1024,
            data_dir: PathBuf::from("data"),
            demo: false,
            agreement_templates_dir: None,
            default_language: Lang::Fr,
            auth: AuthSettings::default(),
            limits: crate::limits::LimitSettings::default(),
            webhooks: WebhookSettings::default(),
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            signing_keys: None,
            issuer: "passerelle".into(),
            audience: "passerelle-api".into(),
            access_ttl_seconds: 15 * 60,
            refresh_ttl_days: 30,
            activation_ttl_hours: 72,
            password: PasswordParams::default(),
            login_attempts_per_minute: 10,
        }
    }
}

impl Settings {
    /// Loads the settings from the defaults, the file named by
    /// `PASSERELLE_CONFIG` (or `passerelle.toml` when present) and the environment.
    pub fn load() -> Result<Self, Box<figment::Error>> {
        let file = std::env::var_os("PASSERELLE_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("passerelle.toml"));
        Self::load_from(&file)
    }

    fn load_from(file: &Path) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("PASSERELLE_").split("__").ignore(&["config", "admin_password"]))
            .extract()
            .map_err(Box::new)
    }

    pub fn log_format(&self) -> LogFormat {
        self.log_format.unwrap_or(match self.environment {
            Environment::Development => LogFormat::Pretty,
            Environment::Production => LogFormat::Json,
        })
    }

    pub fn cors_origins(&self) -> Vec<String> {
        self.cors_origins.split(',').map(str::trim).filter(|origin| !origin.is_empty()).map(str::to_owned).collect()
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's test jail fixes the error type
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_file_which_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("p.toml", "bind = \"0.0.0.0:9000\"\npool_size = 4\n[auth]\nissuer = \"file\"\n")?;
            jail.set_env("PASSERELLE_POOL_SIZE", "7");
            jail.set_env("PASSERELLE_AUTH__ACCESS_TTL_SECONDS", "60");
            let settings = Settings::load_from(Path::new("p.toml")).map_err(|e| *e)?;
            assert_eq!(settings.bind, "0.0.0.0:9000");
            assert_eq!(settings.pool_size, 7);
            assert_eq!(settings.auth.issuer, "file");
            assert_eq!(settings.auth.access_ttl_seconds, 60);
            assert_eq!(settings.database_url, "sqlite://data/passerelle.db");
            Ok(())
        });
    }

    #[test]
    fn the_default_language_is_french_unless_set() {
        figment::Jail::expect_with(|jail| {
            assert_eq!(Settings::load_from(Path::new("none.toml")).map_err(|e| *e)?.default_language, Lang::Fr);
            jail.set_env("PASSERELLE_DEFAULT_LANGUAGE", "en");
            assert_eq!(Settings::load_from(Path::new("none.toml")).map_err(|e| *e)?.default_language, Lang::En);
            jail.set_env("PASSERELLE_DEFAULT_LANGUAGE", "de");
            assert!(Settings::load_from(Path::new("none.toml")).is_err());
            Ok(())
        });
    }

    #[test]
    fn an_unknown_setting_is_an_error() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PASSERELLE_DATABASE_URLL", "x");
            assert!(Settings::load_from(Path::new("none.toml")).is_err());
            Ok(())
        });
    }

    #[test]
    fn cors_origins_are_a_comma_list() {
        let settings = Settings { cors_origins: " https://a.ma, ,https://b.ma".into(), ..Settings::default() };
        assert_eq!(settings.cors_origins(), vec!["https://a.ma", "https://b.ma"]);
    }

    #[test]
    fn only_production_refuses_loopback_receivers() {
        let table = [
            (Environment::Development, false, Ok(())),
            (Environment::Development, true, Ok(())),
            (Environment::Production, false, Ok(())),
            (Environment::Production, true, Err(LOOPBACK_IN_PRODUCTION)),
        ];
        for (environment, allow_loopback, expected) in table {
            let webhooks = WebhookSettings { allow_loopback, ..WebhookSettings::default() };
            assert_eq!(webhooks.check(environment), expected, "{environment:?} allow_loopback={allow_loopback}");
        }
    }
}
