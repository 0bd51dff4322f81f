; filter 0 of 1 (first installed; every filter runs, the most restrictive action wins)
; 64 instructions; jump targets are instruction offsets
  0: ld [arch]
  1: jeq #0xc000003e, 3, 2
  2: ret kill-thread
  3: ld [nr]
  4: jeq #0, 5, 6
  5: ret allow
  6: jeq #1, 7, 8
  7: ret allow
  8: jeq #9, 9, 15
  9: ld [args[3].lo]
 10: jeq #34, 11, 14
 11: ld [args[2].lo]
 12: jeq #3, 13, 14
 13: ret allow
 14: ld [nr]
 15: jeq #10, 16, 20
 16: ld [args[2].lo]
 17: jset #0xfffffffe, 19, 18
 18: ret allow
 19: ld [nr]
 20: jeq #11, 21, 22
 21: ret allow
 22: jeq #12, 23, 24
 23: ret allow
 24: jeq #25, 25, 26
 25: ret errno(ENOSYS)
 26: jeq #96, 27, 28
 27: ret allow
 28: jeq #15, 29, 30
 29: ret allow
 30: jeq #219, 31, 32
 31: ret allow
 32: jeq #3, 33, 34
 33: ret allow
 34: jeq #231, 35, 36
 35: ret allow
 36: jeq #45, 37, 41
 37: ld [args[3].lo]
 38: jeq #2, 39, 40
 39: ret allow
 40: ld [nr]
 41: jeq #35, 42, 43
 42: ret allow
 43: jeq #39, 44, 45
 44: ret allow
 45: jeq #48, 46, 47
 46: ret allow
 47: jeq #72, 48, 52
 48: ld [args[1].lo]
 49: jeq #3, 50, 51
 50: ret allow
 51: ld [nr]
 52: jeq #72, 53, 59
 53: ld [args[1].lo]
 54: jeq #4, 55, 58
 55: ld [args[2].lo]
 56: jset #0xfff6733c, 58, 57
 57: ret allow
 58: ld [nr]
 59: jeq #13, 60, 61
 60: ret allow
 61: jeq #37, 62, 63
 62: ret allow
 63: ret kill-thread
