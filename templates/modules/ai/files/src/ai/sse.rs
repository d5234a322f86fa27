//! Reading the server-sent events of a streamed completion.
//!
//! Both APIs stream `text/event-stream`; only the `event:` and `data:` fields matter, so the
//! parser is written here (some sixty lines, by the WHATWG rules) rather than taken from a
//! crate: eventsource-stream and its kin bring their own stream plumbing (and nom, for one)
//! for what is splitting lines.

use std::collections::VecDeque;

use futures_util::StreamExt;
use futures_util::stream;

use super::provider::{ChatStream, LlmError, StreamEvent};

/// One event: its `event:` name (empty when absent) and its `data:` lines joined by `\n`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct SseEvent {
    pub(super) event: String,
    pub(super) data: String,
}

/// Splits a byte stream into events, whatever the chunks' boundaries.
#[derive(Debug, Default)]
pub(super) struct SseParser {
    /// Bytes of a line whose end has not arrived yet.
    line: Vec<u8>,
    /// The event being read.
    event: String,
    data: Vec<String>,
}

impl SseParser {
    /// Reads `chunk`, returning the events it completes.
    pub(super) fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        for &byte in chunk {
            if byte != b'\n' {
                self.line.push(byte);
                continue;
            }
            let mut line = std::mem::take(&mut self.line);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            // Lines are split on bytes, so a character cut between chunks is whole again here.
            let line = String::from_utf8_lossy(&line);
            if let Some(event) = self.read_line(&line) {
                events.push(event);
            }
        }
        events
    }

    /// Applies one line; a blank line ends the event.
    fn read_line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            let event = std::mem::take(&mut self.event);
            if self.data.is_empty() {
                return None;
            }
            let data = std::mem::take(&mut self.data).join("\n");
            return Some(SseEvent { event, data });
        }
        // A line without a colon is a field with an empty value; one starting with a colon
        // is a comment (keep-alives), and one space after the colon is not part of the value.
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.event = value.to_owned(),
            "data" => self.data.push(value.to_owned()),
            _ => {}
        }
        None
    }
}

/// A streamed completion read from `response`: each event goes through `decode`, which
/// returns what it yields (deltas, then the usage) or nothing. The stream ends after
/// [`StreamEvent::Done`] or the first error; a body that ends before `Done` is an error.
pub(super) fn chat_stream<D>(
    provider: &'static str,
    response: reqwest::Response,
    decode: D,
) -> ChatStream
where
    D: FnMut(SseEvent) -> Result<Option<StreamEvent>, LlmError> + Send + 'static,
{
    let reader = Reader {
        provider,
        response,
        parser: SseParser::default(),
        pending: VecDeque::new(),
        decode,
        finished: false,
    };
    stream::unfold(reader, |mut reader| async move {
        let item = reader.next().await?;
        Some((item, reader))
    })
    .boxed()
}

struct Reader<D> {
    provider: &'static str,
    response: reqwest::Response,
    parser: SseParser,
    pending: VecDeque<SseEvent>,
    decode: D,
    finished: bool,
}

impl<D> Reader<D>
where
    D: FnMut(SseEvent) -> Result<Option<StreamEvent>, LlmError>,
{
    async fn next(&mut self) -> Option<Result<StreamEvent, LlmError>> {
        if self.finished {
            return None;
        }
        loop {
            while let Some(event) = self.pending.pop_front() {
                match (self.decode)(event) {
                    Ok(None) => {}
                    Ok(Some(event)) => {
                        self.finished = matches!(event, StreamEvent::Done(_));
                        return Some(Ok(event));
                    }
                    Err(error) => return self.fail(error),
                }
            }
            match self.response.chunk().await {
                Ok(Some(chunk)) => self.pending.extend(self.parser.push(&chunk)),
                Ok(None) => {
                    let error = LlmError::malformed(self.provider, "the stream ended early");
                    return self.fail(error);
                }
                Err(error) => return self.fail(LlmError::transport(self.provider, error)),
            }
        }
    }

    fn fail(&mut self, error: LlmError) -> Option<Result<StreamEvent, LlmError>> {
        self.finished = true;
        Some(Err(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event: &str, data: &str) -> SseEvent {
        SseEvent {
            event: event.to_owned(),
            data: data.to_owned(),
        }
    }

    #[test]
    fn events_are_split_on_blank_lines_with_their_name_and_data() {
        let mut parser = SseParser::default();

        let events = parser.push(b"event: ping\ndata: {}\n\ndata: one\n\n");

        assert_eq!(events, [event("ping", "{}"), event("", "one")]);
    }

    #[test]
    fn an_event_cut_anywhere_between_chunks_comes_out_whole() {
        let text = "event: delta\r\ndata: {\"text\":\"h\u{e9}llo\"}\r\n\r\n";
        for cut in 1..text.len() {
            let mut parser = SseParser::default();
            let (first, second) = text.as_bytes().split_at(cut);

            let mut events = parser.push(first);
            events.extend(parser.push(second));

            assert_eq!(
                events,
                [event("delta", "{\"text\":\"h\u{e9}llo\"}")],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn comments_and_other_fields_are_skipped_and_data_lines_are_joined() {
        let mut parser = SseParser::default();

        let events = parser.push(b": keep-alive\n\nid: 7\nretry: 10\ndata:a\ndata: b\n\n");

        assert_eq!(events, [event("", "a\nb")]);
    }

    #[test]
    fn nothing_is_emitted_before_the_blank_line() {
        let mut parser = SseParser::default();

        assert!(parser.push(b"data: [DONE]\n").is_empty());
        assert_eq!(parser.push(b"\n"), [event("", "[DONE]")]);
    }
}
