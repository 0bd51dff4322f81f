// SPDX-License-Identifier: Apache-2.0
#include "watch/record_source.h"

#include <sys/socket.h>

#include "watch/kmsg_line.h"
#include "watch/watcher.h"

namespace sysfence::watch {

Result<RecordReader> RecordReader::Open(RecordSource which, int receive_buffer_bytes, std::vector<std::string>* notes) {
  if (which != RecordSource::kKmsg) {
    Result<os::AuditStream> stream = os::AuditStream::Open();
    if (stream.ok()) {
      if (receive_buffer_bytes > 0 &&
          setsockopt(stream->fd(), SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer_bytes, sizeof(receive_buffer_bytes)) != 0) {
        (void)setsockopt(stream->fd(), SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof(receive_buffer_bytes));
      }
      return RecordReader(std::move(stream).value(), std::nullopt);
    }
    if (which == RecordSource::kNetlink) return stream.error();
    Result<os::KmsgReader> kmsg = os::KmsgReader::Open();
    if (!kmsg.ok()) {
      return MakeError(kmsg.error().code, stream.error().message + "; and the fallback failed: " + kmsg.error().message);
    }
    notes->push_back("reading /dev/kmsg instead of the audit stream (" + stream.error().message +
                     "): only records printk lets through, and none while auditd runs");
    return RecordReader(std::nullopt, std::move(kmsg).value());
  }
  Result<os::KmsgReader> kmsg = os::KmsgReader::Open();
  if (!kmsg.ok()) return kmsg.error();
  return RecordReader(std::nullopt, std::move(kmsg).value());
}

int RecordReader::fd() const { return netlink_ ? netlink_->fd() : kmsg_->fd(); }

Result<void> RecordReader::Drain(const RecordSink& on_record, const LostSink& on_lost) {
  if (netlink_) {
    Result<void> drained = netlink_->Drain(on_record);
    // ENOBUFS says the socket overflowed at least once since the last read: at least one record each.
    const uint64_t overflows = netlink_->lost_overflows();
    if (overflows > overflows_seen_) on_lost("socket-overflow", overflows - overflows_seen_);
    overflows_seen_ = overflows;
    return drained;
  }
  Result<void> drained = kmsg_->Drain([&](std::string_view record) {
    const std::optional<KmsgLine> line = ParseKmsgLine(record);
    if (!line) return;
    // Every kernel message has a sequence number: a jump means messages were overwritten before
    // we read them (some may have been audit records).
    if (next_sequence_ != 0 && line->sequence > next_sequence_) {
      on_lost("kmsg-sequence-gap", line->sequence - next_sequence_);
    }
    next_sequence_ = line->sequence + 1;
    if (const uint64_t suppressed = SuppressedAuditMessages(line->message); suppressed != 0) {
      on_lost("printk-suppressed", suppressed);
    }
    if (const std::optional<KmsgAuditRecord> audit = AuditRecordInKmsg(line->message)) on_record(audit->type, audit->text);
  });
  // An overwrite (EPIPE) moves the reader to the oldest record kept: the sequence gap above counts
  // exactly what was skipped, so the EPIPE itself adds nothing.
  return drained;
}

}  // namespace sysfence::watch
