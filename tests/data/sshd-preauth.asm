; filter 0 of 1 (first installed; every filter runs, the most restrictive action wins)
; 99 instructions; jump targets are instruction offsets
  0: ld [arch]
  1: jeq #0xc000003e, 3, 2
  2: ret kill-thread
  3: ld [nr]
  4: jeq #6, 5, 6
  5: ret errno(EACCES)
  6: jeq #5, 7, 8
  7: ret errno(EACCES)
  8: jeq #2, 9, 10
  9: ret errno(EACCES)
 10: jeq #257, 11, 12
 11: ret errno(EACCES)
 12: jeq #262, 13, 14
 13: ret errno(EACCES)
 14: jeq #4, 15, 16
 15: ret errno(EACCES)
 16: jeq #29, 17, 18
 17: ret errno(EACCES)
 18: jeq #30, 19, 20
 19: ret errno(EACCES)
 20: jeq #67, 21, 22
 21: ret errno(EACCES)
 22: jeq #332, 23, 24
 23: ret errno(EACCES)
 24: jeq #12, 25, 26
 25: ret allow
 26: jeq #228, 27, 28
 27: ret allow
 28: jeq #3, 29, 30
 29: ret allow
 30: jeq #60, 31, 32
 31: ret allow
 32: jeq #231, 33, 34
 33: ret allow
 34: jeq #202, 35, 36
 35: ret allow
 36: jeq #107, 37, 38
 37: ret allow
 38: jeq #121, 39, 40
 39: ret allow
 40: jeq #39, 41, 42
 41: ret allow
 42: jeq #318, 43, 44
 43: ret allow
 44: jeq #186, 45, 46
 45: ret allow
 46: jeq #96, 47, 48
 47: ret allow
 48: jeq #102, 49, 50
 49: ret allow
 50: jeq #28, 51, 52
 51: ret allow
 52: jeq #9, 53, 61
 53: ld [args[2].lo]
 54: and #0xfffffffc
 55: jeq #0, 56, 60
 56: ld [args[2].hi]
 57: and #0xffffffff
 58: jeq #0, 59, 60
 59: ret allow
 60: ld [nr]
 61: jeq #10, 62, 70
 62: ld [args[2].lo]
 63: and #0xfffffffc
 64: jeq #0, 65, 69
 65: ld [args[2].hi]
 66: and #0xffffffff
 67: jeq #0, 68, 69
 68: ret allow
 69: ld [nr]
 70: jeq #25, 71, 72
 71: ret allow
 72: jeq #11, 73, 74
 73: ret allow
 74: jeq #35, 75, 76
 75: ret allow
 76: jeq #230, 77, 78
 77: ret allow
 78: jeq #271, 79, 80
 79: ret allow
 80: jeq #7, 81, 82
 81: ret allow
 82: jeq #270, 83, 84
 83: ret allow
 84: jeq #0, 85, 86
 85: ret allow
 86: jeq #14, 87, 88
 87: ret allow
 88: jeq #23, 89, 90
 89: ret allow
 90: jeq #48, 91, 92
 91: ret allow
 92: jeq #201, 93, 94
 93: ret allow
 94: jeq #1, 95, 96
 95: ret allow
 96: jeq #20, 97, 98
 97: ret allow
 98: ret kill-thread
