use clap::Parser;
use plaudit::config::{Cli, Command, ImportCommand, KeysCommand, SeedArgs, Settings};
use plaudit::domain::Scope;
use plaudit::seed::{Progress, SeedError, thousands};
use plaudit::startup::{Application, open_store};
use plaudit::telemetry;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = cli.settings;
    let _logs = telemetry::init(&settings.log, &settings.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => Application::build(&settings).await?.run().await?,
        Command::Migrate => {
            let store = open_store(&settings).await?;
            tracing::info!(backend = store.backend_name(), "migrations applied");
            store.close().await;
        }
        Command::Keys { action } => manage_keys(&settings, action).await?,
        Command::Verify => verify(&settings).await?,
        Command::Seed(args) => seed(&settings, &args).await?,
        Command::Import {
            source: ImportCommand::Wordpress(args),
        } => import_wordpress(&settings, &args).await?,
    }
    Ok(())
}

async fn verify(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let mismatches = store.verify().await?;
    store.close().await;
    for (article, kept, recount) in &mismatches {
        println!("{article}\tkept {kept:?}\trecount {recount:?}");
    }
    eprintln!(
        "{} article(s) whose rating differs from a recount of its votes",
        mismatches.len()
    );
    if !mismatches.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}

/// The summary goes to stdout, progress to stderr.
async fn seed(settings: &Settings, args: &SeedArgs) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let plan = args.plan(plaudit::store::now_millis());
    let seeded = plaudit::seed::seed(&store, &plan, &Progress::on_stderr()).await;
    store.close().await;
    let summary = match seeded {
        // The user's to fix, not a failure of the program: the message alone.
        Err(refused @ (SeedError::HoldsVotes(_) | SeedError::Plan(_))) => {
            eprintln!("{refused}");
            std::process::exit(1);
        }
        other => other?,
    };
    let written = summary.written;
    let most_voted = summary
        .most_voted
        .map(|(article, votes)| format!("; most votes: {article} ({})", thousands(votes.into())))
        .unwrap_or_default();
    println!(
        "seeded {} articles, {} votes and {} feedback entries in {:.1} s{most_voted}",
        thousands(written.articles),
        thousands(written.votes),
        thousands(written.feedback),
        summary.elapsed.as_secs_f64()
    );
    Ok(())
}

/// The summary goes to stdout, progress to stderr; skipped articles are in the summary and
/// not a failure.
async fn import_wordpress(
    settings: &Settings,
    args: &plaudit::import::WordPressArgs,
) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let progress = plaudit::import::Progress::on_stderr();
    let imported = plaudit::import::import_wordpress(&store, args, &progress).await;
    store.close().await;
    print!("{}", imported?);
    Ok(())
}

/// Only a new key goes to stdout, alone on its line, so scripts can capture it; the rest is
/// for people and goes to stderr.
async fn manage_keys(settings: &Settings, action: KeysCommand) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    match action {
        KeysCommand::Create { name, scope } => {
            let scope = Scope::parse(&scope).map_err(anyhow::Error::msg)?;
            let (key, record) = store.create_key(&name, scope).await?;
            eprintln!(
                "created key {} ({name}, {} scope); it is shown only now:",
                record.id,
                scope.as_str()
            );
            println!("{}", key.expose());
        }
        KeysCommand::List => {
            let keys = store.list_keys().await?;
            eprintln!("{} key(s)", keys.len());
            for key in keys {
                let state = if key.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!("{}\t{}\t{}\t{state}", key.id, key.scope, key.name);
            }
        }
        KeysCommand::Revoke { id } => {
            if !store.revoke_key(&id).await? {
                store.close().await;
                anyhow::bail!("no active key with id {id:?}");
            }
            eprintln!("revoked key {id}");
        }
    }
    store.close().await;
    Ok(())
}
