//! The audit log's one write, made inside the transaction of the change it records, so that a
//! change and its line are committed together or not at all.

use crate::store::dialect::Dialect;
use crate::store::{StoreError, sql};
use sqlx::{Encode, Executor, Transaction, Type};

/// One line: who (`key_id`) did what (`action`) to which article, when, and its details as
/// JSON.
pub(super) struct AuditLine<'a> {
    pub at: i64,
    pub key_id: &'a str,
    pub action: &'static str,
    pub article_id: &'a str,
    pub details: String,
}

pub(super) async fn write<DB: Dialect>(
    tx: &mut Transaction<'static, DB>,
    line: AuditLine<'_>,
) -> Result<(), StoreError>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    sqlx::query::<DB>(sql::INSERT_AUDIT)
        .bind(line.at)
        .bind(line.key_id)
        .bind(line.action)
        .bind(line.article_id)
        .bind(line.details)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
