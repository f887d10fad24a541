//! The transforms of onesession. One module per transform: its rules'
//! documentation, its detector and its fix. Adding a transform is a new
//! module plus one line in [`TRANSFORMS`].

mod helpers;

mod background_session;
mod db_params;
mod deprecate_module;
mod engine_bypass;
mod engine_config;
mod factory_imports;
mod pooler_flags;
mod provider_misuse;
mod router_transaction;
mod service_transaction;
mod shared_session;
mod task_in_transaction;
mod tenant_filter;
mod unawaited_call;
mod untracked_task;

use onesession_engine::{Rule, Transform};

/// The registry: every transform, in the order fixes are committed.
pub static TRANSFORMS: &[&dyn Transform] = &[
    &factory_imports::FactoryImports,
    &deprecate_module::DeprecateModule,
    &db_params::DbParams,
    &provider_misuse::ProviderMisuse,
    &service_transaction::ServiceTransaction,
    &background_session::BackgroundSession,
    &tenant_filter::TenantFilter,
    &engine_config::EngineConfig,
    &task_in_transaction::TaskInTransaction,
    &pooler_flags::PoolerFlags,
    &engine_bypass::EngineBypass,
    &untracked_task::UntrackedTask,
    &shared_session::SharedSession,
    &unawaited_call::UnawaitedCall,
    &router_transaction::RouterTransaction,
];

/// Every rule, engine rules first, sorted by id.
pub fn all_rules() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = onesession_engine::run::ENGINE_RULES.to_vec();
    rules.extend(TRANSFORMS.iter().flat_map(|t| t.rules().iter().copied()));
    rules.sort_by_key(|r| r.id);
    rules
}

/// A rule by id (`DB104`) or name (`db-params`).
pub fn find_rule(code: &str) -> Option<&'static Rule> {
    all_rules()
        .into_iter()
        .find(|r| r.id.eq_ignore_ascii_case(code) || r.name == code)
}
