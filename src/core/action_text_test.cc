// SPDX-License-Identifier: Apache-2.0
// The action-text grammar: both printed forms read back, and each kind of bad text is located.
#include <gtest/gtest.h>

#include "core/action.h"

namespace sysfence {
namespace {

Action Parsed(std::string_view text, ActionTextMode mode = ActionTextMode::kPolicy) {
  ActionTextResult<Action> result = ParseActionText(text, mode);
  EXPECT_TRUE(result.ok()) << text << ": " << result.error.message;
  return result.value.value_or(Action::KillThread());
}

ActionTextError Problem(std::string_view text, ActionTextMode mode = ActionTextMode::kPolicy) {
  ActionTextResult<Action> result = ParseActionText(text, mode);
  EXPECT_FALSE(result.ok()) << text;
  return result.error;
}

TEST(ActionTextTest, ReadsEveryKeywordAndValue) {
  EXPECT_EQ(Parsed("allow"), Action::Allow());
  EXPECT_EQ(Parsed("  log "), Action::Log());
  EXPECT_EQ(Parsed("kill"), Action::KillProcess());
  EXPECT_EQ(Parsed("kill-process"), Action::KillProcess());
  EXPECT_EQ(Parsed("kill-thread"), Action::KillThread());
  EXPECT_EQ(Parsed("notify"), Action::Notify());
  EXPECT_EQ(Parsed("trap"), Action::Trap(0));
  EXPECT_EQ(Parsed("trace 0x10"), Action::Trace(16));
  EXPECT_EQ(Parsed("errno EPERM"), Action::Errno(1));
  EXPECT_EQ(Parsed("errno 38"), Action::Errno(38));
  EXPECT_EQ(Parsed("errno(ENOSYS)"), Action::Errno(38));
  EXPECT_EQ(Parsed("trap( 7 )"), Action::Trap(7));
}

TEST(ActionTextTest, BothPrintedFormsReadBack) {
  for (const Action action : {Action::Allow(), Action::Log(), Action::Errno(1), Action::Errno(4000),
                              Action::KillProcess(), Action::KillThread(), Action::Trap(0), Action::Trap(9),
                              Action::Notify(), Action::Trace(65535)}) {
    EXPECT_EQ(Parsed(action.ToPolicyText()), action) << action.ToPolicyText();
    EXPECT_EQ(Parsed(action.ToString()), action) << action.ToString();
  }
}

TEST(ActionTextTest, EachKindOfBadTextIsLocated) {
  ActionTextError error = Problem("alow");
  EXPECT_EQ(error.kind, ActionTextError::Kind::kUnknownAction);
  EXPECT_EQ(error.message, "unknown action 'alow'");
  EXPECT_EQ(error.hint, "did you mean 'allow'?");
  EXPECT_EQ(error.offset, 0u);
  EXPECT_EQ(error.length, 4u);

  error = Problem("errno EPREM");
  EXPECT_EQ(error.kind, ActionTextError::Kind::kUnknownValue);
  EXPECT_EQ(error.message, "unknown errno 'EPREM'");
  EXPECT_EQ(error.hint, "did you mean 'EPERM'?");
  EXPECT_EQ(error.offset, 6u);
  EXPECT_EQ(error.length, 5u);

  error = Problem("errno");
  EXPECT_EQ(error.kind, ActionTextError::Kind::kMissingValue);
  EXPECT_EQ(error.message, "'errno' needs an errno name or number, e.g. 'errno EPERM'");
  EXPECT_EQ(error.offset, 5u);

  error = Problem("errno -1");
  EXPECT_EQ(error.kind, ActionTextError::Kind::kOutOfRange);
  EXPECT_EQ(error.message, "errno -1 is out of range 1..4095");
  EXPECT_EQ(error.offset, 6u);

  EXPECT_EQ(Problem("errno 4096").kind, ActionTextError::Kind::kOutOfRange);
  EXPECT_EQ(Problem("errno 0").kind, ActionTextError::Kind::kOutOfRange);
  EXPECT_EQ(Problem("trap 65536").message, "'trap' data 65536 is out of range 0..65535");
  EXPECT_EQ(Problem("trap EPERM").kind, ActionTextError::Kind::kUnknownValue);
  EXPECT_EQ(Problem("errno 12z").kind, ActionTextError::Kind::kUnknownValue);
  EXPECT_EQ(Problem("kill 3").message, "'kill' takes no value");
  EXPECT_EQ(Problem("kill 3").offset, 5u);
  EXPECT_EQ(Problem("errno EPERM read").kind, ActionTextError::Kind::kUnexpectedValue);
  EXPECT_EQ(Problem("errno EPERM read").offset, 12u);
  EXPECT_EQ(Problem("errno(EPERM").kind, ActionTextError::Kind::kMalformed);
  EXPECT_EQ(Problem("errno()").kind, ActionTextError::Kind::kMalformed);
  EXPECT_EQ(Problem("").kind, ActionTextError::Kind::kNoAction);
  EXPECT_EQ(Problem("  (").offset, 2u);
}

TEST(ActionTextTest, FilterReturnsMayCarryAnyData) {
  EXPECT_EQ(Parsed("errno(0)", ActionTextMode::kFilterReturn), Action::Errno(0));
  EXPECT_EQ(Parsed("errno(5000)", ActionTextMode::kFilterReturn).data, 5000);
  EXPECT_EQ(Problem("errno(65536)", ActionTextMode::kFilterReturn).kind, ActionTextError::Kind::kOutOfRange);
}

TEST(ActionTextTest, PartsForTokenizedFrontEnds) {
  EXPECT_EQ(ParseActionKeyword("trace").value, ActionKind::kTrace);
  EXPECT_EQ(ParseActionKeyword("permit").error.hint,
            "actions: allow, log, errno NAME, kill, kill-thread, trap, notify, trace");
  EXPECT_EQ(ActionWithErrnoName("EACCES").value, Action::Errno(13));
  EXPECT_EQ(ActionWithNumber(ActionKind::kErrno, false, 13, "13").value, Action::Errno(13));
  EXPECT_EQ(ActionWithNumber(ActionKind::kAllow, false, 13, "13").error.kind,
            ActionTextError::Kind::kUnexpectedValue);
  EXPECT_EQ(ActionValueUseOf(ActionKind::kErrno), ActionValueUse::kRequired);
  EXPECT_EQ(ActionValueUseOf(ActionKind::kTrap), ActionValueUse::kOptional);
  EXPECT_EQ(ActionValueUseOf(ActionKind::kLog), ActionValueUse::kNone);
}

}  // namespace
}  // namespace sysfence
