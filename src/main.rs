//! The `passerelle` command: serve the API, migrate, seed, print the spec.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use passerelle::config::Settings;
use passerelle::startup::{prepare_state, Application};

/// A request allocates and frees many small buffers (JSON, headers, rows);
/// mimalloc serves those from thread-local pages, cheaper than the system
/// allocator's. Only the binary chooses it: the library leaves the choice to
/// whoever links it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "passerelle",
    version,
    about = "Passerelle: AXA internships and work-study for the convention's students"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve {
        /// Seed the demo data set when the database holds no account yet.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load data into the database.
    Seed {
        #[command(subcommand)]
        what: SeedCommand,
    },
    /// Measure the matching engine.
    #[command(subcommand)]
    Bench(passerelle::bench_cli::BenchCommand),
    /// Print the OpenAPI document.
    Openapi,
    /// Create an admin account. The password is read from the
    /// PASSERELLE_ADMIN_PASSWORD environment variable or, without it, from
    /// standard input; never from the command line, where other users could see it.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

#[derive(Subcommand)]
enum SeedCommand {
    /// Load the reference data (schools, organisations, skills) again; also done at every start.
    Reference,
    /// Load the demo data set into a database that holds no account yet, and print the demo accounts.
    Demo,
    /// Write a generated data set of the given size (for benchmarks and load tests).
    Synthetic(passerelle::bench_cli::SyntheticArgs),
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[actix_web::main]
async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    if let Command::Openapi = command {
        println!("{}", passerelle::startup::openapi().to_pretty_json()?);
        return Ok(());
    }
    let mut settings = Settings::load().context("configuration")?;
    passerelle::telemetry::init(settings.log_format());
    match command {
        Command::Serve { demo } => {
            settings.demo |= demo;
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "serving");
            app.run_until_stopped().await?;
        }
        Command::Migrate | Command::Seed { what: SeedCommand::Reference } => {
            prepare_state(settings).await?;
            println!("database migrated and reference data loaded");
        }
        Command::Seed { what: SeedCommand::Demo } => {
            let data_dir = settings.data_dir.clone();
            let state = prepare_state(settings).await?;
            let logins = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                let mut conn = state.pool.get()?;
                passerelle::seed::seed_demo_if_empty(&mut conn, &state.passwords, &data_dir)
            })
            .await??;
            if logins.is_empty() {
                println!("the database already holds accounts: demo data not loaded");
            }
            passerelle::seed::print_demo_logins(&logins);
        }
        Command::CreateAdmin { email, name } => {
            let password = match std::env::var("PASSERELLE_ADMIN_PASSWORD") {
                Ok(password) => password,
                Err(_) => read_secret_from_stdin()?,
            };
            let state = prepare_state(settings).await?;
            let id =
                tokio::task::spawn_blocking(move || passerelle::seed::create_admin(&state, &email, &name, &password))
                    .await?
                    .map_err(|e| {
                        anyhow::anyhow!("{}", e.to_problem("create-admin", "", passerelle::i18n::Lang::En).detail)
                    })?;
            println!("admin account {id} created");
        }
        Command::Seed { what: SeedCommand::Synthetic(args) } => {
            passerelle::bench_cli::run_seed(args, &settings.database_url)?
        }
        Command::Bench(bench) => passerelle::bench_cli::run_bench(bench)?,
        Command::Openapi => {}
    }
    Ok(())
}

fn read_secret_from_stdin() -> anyhow::Result<String> {
    let mut secret = String::new();
    std::io::stdin().read_to_string(&mut secret)?;
    Ok(secret.trim_end_matches(['\n', '\r']).to_owned())
}
