//! Canned responses: any agent lists and searches them, admins write them.

use crate::domain::{CannedResponse, CannedResponseId, search_canned};
use crate::error::ChatError;
use crate::input::NewCannedResponse;
use crate::ports::CannedWrite;

use super::ChatService;

/// A write that found the response changed under it is tried again on what it reads then.
const CHANGED_RETRIES: usize = 3;

fn not_found() -> ChatError {
    ChatError::NotFound("canned response not found")
}

fn code_taken() -> ChatError {
    ChatError::Conflict("another canned response has this short_code")
}

impl ChatService {
    /// API.md's order: all by short code, or the matches of `q` best first.
    pub async fn canned_responses(
        &self,
        q: Option<&str>,
    ) -> Result<Vec<CannedResponse>, ChatError> {
        Ok(search_canned(self.store.list_canned().await?, q))
    }

    pub async fn add_canned(&self, input: NewCannedResponse) -> Result<CannedResponse, ChatError> {
        let (id, now) = self.stamp();
        let response = CannedResponse {
            id: CannedResponseId::from_ulid(id),
            short_code: input.short_code,
            content: input.content,
            created_at: now,
            updated_at: now,
        };
        match self.store.insert_canned(&response).await? {
            CannedWrite::Written => Ok(response),
            CannedWrite::CodeTaken => Err(code_taken()),
            CannedWrite::Changed => Err(anyhow::anyhow!("a new response's id is in use").into()),
        }
    }

    pub async fn replace_canned(
        &self,
        id: CannedResponseId,
        input: NewCannedResponse,
    ) -> Result<CannedResponse, ChatError> {
        for _ in 0..CHANGED_RETRIES {
            let old = self.store.get_canned(id).await?.ok_or_else(not_found)?;
            let new = CannedResponse {
                short_code: input.short_code.clone(),
                content: input.content.clone(),
                updated_at: self.clock.now().max(old.updated_at.plus_millis(1)),
                ..old.clone()
            };
            match self.store.replace_canned(&old, &new).await? {
                CannedWrite::Written => return Ok(new),
                CannedWrite::CodeTaken => return Err(code_taken()),
                CannedWrite::Changed => continue,
            }
        }
        Err(anyhow::anyhow!("canned response {id} kept changing while being written").into())
    }

    pub async fn remove_canned(&self, id: CannedResponseId) -> Result<(), ChatError> {
        for _ in 0..CHANGED_RETRIES {
            let read = self.store.get_canned(id).await?.ok_or_else(not_found)?;
            match self.store.delete_canned(&read).await? {
                CannedWrite::Written => return Ok(()),
                CannedWrite::Changed | CannedWrite::CodeTaken => continue,
            }
        }
        Err(anyhow::anyhow!("canned response {id} kept changing while being deleted").into())
    }
}
