; filter 0 of 1 (first installed; every filter runs, the most restrictive action wins)
; 494 instructions; jump targets are instruction offsets
  0: ld [arch]
  1: jeq #0xc000003e, 2, 119
  2: ld [nr]
  3: jge #0x40000000, 4, 5
  4: jeq #0xffffffff, 5, 119
  5: jeq #0, 228, 6
  6: jeq #1, 228, 7
  7: jeq #3, 228, 8
  8: jeq #4, 228, 9
  9: jeq #5, 228, 10
 10: jeq #6, 228, 11
 11: jeq #7, 228, 12
 12: jeq #8, 228, 13
 13: jeq #9, 228, 14
 14: jeq #11, 228, 15
 15: jeq #12, 228, 16
 16: jeq #15, 228, 17
 17: jeq #20, 228, 18
 18: jeq #21, 228, 19
 19: jeq #22, 228, 20
 20: jeq #24, 228, 21
 21: jeq #28, 228, 22
 22: jeq #32, 228, 23
 23: jeq #35, 228, 24
 24: jeq #39, 228, 25
 25: jeq #42, 228, 26
 26: jeq #44, 228, 27
 27: jeq #45, 228, 28
 28: jeq #46, 228, 29
 29: jeq #47, 228, 30
 30: jeq #48, 228, 31
 31: jeq #49, 228, 32
 32: jeq #50, 228, 33
 33: jeq #51, 228, 34
 34: jeq #56, 228, 35
 35: jeq #60, 228, 36
 36: jeq #61, 228, 37
 37: jeq #63, 228, 38
 38: jeq #72, 228, 39
 39: jeq #74, 228, 40
 40: jeq #78, 228, 41
 41: jeq #83, 228, 42
 42: jeq #87, 228, 43
 43: jeq #91, 228, 44
 44: jeq #96, 228, 45
 45: jeq #97, 228, 46
 46: jeq #99, 228, 47
 47: jeq #102, 228, 48
 48: jeq #104, 228, 49
 49: jeq #107, 228, 50
 50: jeq #108, 228, 51
 51: jeq #131, 228, 52
 52: jeq #151, 228, 53
 53: jeq #160, 228, 54
 54: jeq #186, 228, 55
 55: jeq #202, 228, 56
 56: jeq #204, 228, 57
 57: jeq #213, 228, 58
 58: jeq #217, 228, 59
 59: jeq #228, 228, 60
 60: jeq #231, 228, 61
 61: jeq #232, 228, 62
 62: jeq #262, 228, 63
 63: jeq #263, 228, 64
 64: jeq #273, 228, 65
 65: jeq #281, 228, 66
 66: jeq #290, 228, 67
 67: jeq #293, 228, 68
 68: jeq #302, 228, 69
 69: jeq #318, 228, 70
 70: jeq #324, 228, 71
 71: jeq #334, 228, 72
 72: jeq #435, 228, 73
 73: jeq #16, 74, 78
 74: ld [args[1].hi]
 75: jeq #0, 76, 232
 76: ld [args[1].lo]
 77: jeq #0x894b, 228, 232
 78: jeq #62, 79, 83
 79: ld [args[1].hi]
 80: jeq #0, 81, 232
 81: ld [args[1].lo]
 82: jeq #0, 228, 232
 83: jeq #157, 84, 88
 84: ld [args[0].hi]
 85: jeq #0, 86, 232
 86: ld [args[0].lo]
 87: jeq #4, 228, 232
 88: jeq #201, 89, 93
 89: ld [args[0].hi]
 90: jeq #0, 91, 232
 91: ld [args[0].lo]
 92: jeq #0, 228, 232
 93: jeq #288, 94, 99
 94: ld [args[3].hi]
 95: jeq #0, 96, 232
 96: ld [args[3].lo]
 97: and #0xfff7f7ff
 98: jeq #0, 228, 232
 99: jeq #14, 100, 104
100: ld [args[0].hi]
101: jeq #0, 102, 232
102: ld [args[0].lo]
103: jeq #2, 228, 178
104: jeq #73, 105, 110
105: ld [args[1].hi]
106: jeq #0, 107, 232
107: ld [args[1].lo]
108: jeq #8, 228, 109
109: jeq #6, 228, 232
110: jeq #25, 111, 120
111: ld [args[3].hi]
112: jeq #0, 113, 115
113: ld [args[3].lo]
114: jeq #1, 228, 115
115: ld [args[0].hi]
116: jeq #0x7fbc, 117, 232
117: ld [args[0].lo]
118: jeq #0x8ea68000, 119, 232
119: ret kill-thread
120: jeq #53, 121, 129
121: ld [args[0].hi]
122: jeq #0, 123, 232
123: ld [args[0].lo]
124: jeq #1, 125, 232
125: ld [args[1].hi]
126: jeq #0, 127, 232
127: ld [args[1].lo]
128: jeq #0x80001, 228, 232
129: jeq #233, 130, 136
130: ld [args[1].hi]
131: jeq #0, 132, 232
132: ld [args[1].lo]
133: jeq #3, 228, 134
134: jeq #2, 228, 135
135: jeq #1, 228, 232
136: jeq #54, 137, 161
137: ld [args[1].hi]
138: jeq #0, 139, 232
139: ld [args[1].lo]
140: jeq #41, 141, 145
141: ld [args[2].hi]
142: jeq #0, 143, 145
143: ld [args[2].lo]
144: jeq #26, 228, 145
145: ld [args[1].lo]
146: jeq #1, 147, 154
147: ld [args[2].hi]
148: jeq #0, 149, 154
149: ld [args[2].lo]
150: jeq #32, 228, 151
151: jeq #8, 228, 152
152: jeq #7, 228, 153
153: jeq #2, 228, 154
154: ld [args[1].lo]
155: jeq #0, 156, 232
156: ld [args[2].hi]
157: jeq #0, 158, 232
158: ld [args[2].lo]
159: jeq #24, 228, 160
160: jeq #19, 228, 232
161: jeq #13, 162, 179
162: ld [args[0].hi]
163: jeq #0, 164, 232
164: ld [args[0].lo]
165: jeq #31, 228, 166
166: jeq #29, 228, 167
167: jeq #25, 228, 168
168: jeq #17, 228, 169
169: jeq #15, 228, 170
170: jeq #13, 228, 171
171: jeq #12, 228, 172
172: jeq #11, 228, 173
173: jeq #10, 228, 174
174: jeq #8, 228, 175
175: jeq #7, 228, 176
176: jeq #4, 228, 177
177: jeq #2, 228, 178
178: jeq #1, 228, 232
179: jeq #55, 180, 208
180: ld [args[1].hi]
181: jeq #0, 182, 232
182: ld [args[1].lo]
183: jeq #41, 184, 188
184: ld [args[2].hi]
185: jeq #0, 186, 188
186: ld [args[2].lo]
187: jeq #80, 228, 188
188: ld [args[1].lo]
189: jeq #6, 190, 194
190: ld [args[2].hi]
191: jeq #0, 192, 194
192: ld [args[2].lo]
193: jeq #11, 228, 194
194: ld [args[1].lo]
195: jeq #1, 196, 202
196: ld [args[2].hi]
197: jeq #0, 198, 202
198: ld [args[2].lo]
199: jeq #30, 228, 200
200: jeq #7, 228, 201
201: jeq #4, 228, 202
202: ld [args[1].lo]
203: jeq #0, 204, 232
204: ld [args[2].hi]
205: jeq #0, 206, 232
206: ld [args[2].lo]
207: jeq #80, 228, 232
208: jeq #10, 209, 240
209: ld [args[2].hi]
210: jeq #0, 211, 214
211: ld [args[2].lo]
212: jeq #1, 228, 213
213: jeq #0, 228, 214
214: ld [args[0].hi]
215: jgt #0x7fbc, 230, 216
216: jeq #0x7fbc, 217, 230
217: ld [args[0].lo]
218: jge #0x8ea68000, 229, 219
219: ld [args[1].hi]
220: jgt #0, 229, 221
221: jeq #0, 222, 224
222: ld [args[1].lo]
223: jgt #0x1400000, 229, 224
224: ld [args[2].hi]
225: jeq #0, 226, 229
226: ld [args[2].lo]
227: jeq #3, 228, 229
228: ret allow
229: jgt #0x8fe68d77, 230, 232
230: ld [args[1].hi]
231: jgt #0, 232, 233
232: ret errno(EPERM)
233: jeq #0, 234, 236
234: ld [args[1].lo]
235: jgt #0x1400000, 491, 236
236: ld [args[2].hi]
237: jeq #0, 238, 491
238: ld [args[2].lo]
239: jeq #3, 492, 491
240: jeq #41, 241, 306
241: ld [args[0].hi]
242: jeq #0, 243, 491
243: ld [args[0].lo]
244: jeq #16, 245, 254
245: ld [args[1].hi]
246: jeq #0, 247, 254
247: ld [args[1].lo]
248: and #0xfff7ffff
249: jeq #3, 250, 254
250: ld [args[2].hi]
251: jeq #0, 252, 254
252: ld [args[2].lo]
253: jeq #0, 492, 254
254: ld [args[0].lo]
255: jeq #10, 256, 273
256: ld [args[1].hi]
257: jeq #0, 258, 273
258: ld [args[1].lo]
259: and #0xfff7f7ff
260: jeq #2, 261, 266
261: ld [args[2].hi]
262: jeq #0, 263, 266
263: ld [args[2].lo]
264: jeq #17, 492, 265
265: jeq #0, 492, 266
266: ld [args[1].lo]
267: and #0xfff7f7ff
268: jeq #1, 269, 273
269: ld [args[2].hi]
270: jeq #0, 271, 273
271: ld [args[2].lo]
272: jeq #6, 492, 273
273: ld [args[0].lo]
274: jeq #2, 275, 292
275: ld [args[1].hi]
276: jeq #0, 277, 292
277: ld [args[1].lo]
278: and #0xfff7f7ff
279: jeq #2, 280, 285
280: ld [args[2].hi]
281: jeq #0, 282, 285
282: ld [args[2].lo]
283: jeq #17, 492, 284
284: jeq #0, 492, 285
285: ld [args[1].lo]
286: and #0xfff7f7ff
287: jeq #1, 288, 292
288: ld [args[2].hi]
289: jeq #0, 290, 292
290: ld [args[2].lo]
291: jeq #6, 492, 292
292: ld [args[0].lo]
293: jeq #1, 294, 491
294: ld [args[1].hi]
295: jeq #0, 296, 491
296: ld [args[1].lo]
297: and #0xfff7f7ff
298: jeq #2, 299, 303
299: ld [args[2].hi]
300: jeq #0, 301, 303
301: ld [args[2].lo]
302: jeq #0, 492, 303
303: ld [args[1].lo]
304: and #0xfff7f7ff
305: jeq #1, 492, 491
306: jeq #257, 307, 368
307: ld [args[0].hi]
308: and #0
309: jeq #0, 310, 491
310: ld [args[0].lo]
311: jeq #0xffffff9c, 312, 491
312: ld [args[1].hi]
313: jeq #0x7fbc, 314, 491
314: ld [args[1].lo]
315: jeq #0x8fe686e1, 316, 320
316: ld [args[2].hi]
317: jeq #0, 318, 320
318: ld [args[2].lo]
319: jeq #0x90800, 492, 320
320: ld [args[1].lo]
321: jeq #0x8fe686c7, 492, 322
322: jeq #0x8fe68697, 492, 323
323: jeq #0x8fe68669, 492, 324
324: jeq #0x8fe68640, 492, 325
325: jeq #0x8fe68633, 492, 326
326: jeq #0x8fe68626, 492, 327
327: jeq #0x8fe6861a, 492, 328
328: jeq #0x8fe6860f, 492, 329
329: jeq #0x8fe68601, 492, 330
330: jeq #0x8fe685f0, 492, 331
331: jeq #0x8fe685d8, 492, 332
332: jeq #0x8fe685c9, 492, 333
333: jeq #0x8fe685b6, 492, 334
334: jeq #0x8fe6857e, 492, 335
335: jeq #0x8fe68558, 492, 336
336: jeq #0x8fe68532, 492, 337
337: jeq #0x8fe68508, 492, 338
338: jeq #0x8fe684de, 492, 339
339: jeq #0x8fe684b0, 492, 340
340: jeq #0x8fe6847c, 492, 341
341: jeq #0x8fe68444, 492, 342
342: jeq #0x8fe68414, 492, 343
343: jeq #0x8fe683e0, 492, 344
344: jeq #0x8fe683b5, 492, 345
345: jeq #0x8fe6838e, 492, 346
346: jeq #0x8fe68363, 492, 347
347: jeq #0x8fe68334, 492, 348
348: jeq #0x8fe68308, 492, 349
349: jeq #0x8fe682e0, 492, 350
350: jeq #0x8fe682b4, 492, 351
351: jeq #0x8fe68284, 492, 352
352: jeq #0x8fe6825a, 492, 353
353: jeq #0x8fe68234, 492, 354
354: jeq #0x8fe68206, 492, 355
355: jeq #0x8fe681e7, 492, 356
356: jeq #0x8fe681c9, 492, 357
357: jeq #0x8fe681a7, 492, 358
358: jeq #0x8fe68181, 492, 359
359: jeq #0x8fe68157, 492, 360
360: jeq #0x8fe68132, 492, 361
361: jeq #0x8fe68109, 492, 362
362: jeq #0x8fe680f4, 492, 363
363: jeq #0x8fe680bf, 492, 364
364: jeq #0x8fe6806f, 492, 365
365: jeq #0x8fe6805a, 492, 366
366: jeq #0x8fe68031, 492, 367
367: jeq #0x8fe68000, 492, 491
368: jeq #82, 369, 491
369: ld [args[0].hi]
370: jeq #0x7fbc, 371, 491
371: ld [args[0].lo]
372: jeq #0x8fe685c9, 373, 377
373: ld [args[1].hi]
374: jeq #0x7fbc, 375, 377
375: ld [args[1].lo]
376: jeq #0x8fe685a0, 492, 377
377: ld [args[0].lo]
378: jeq #0x8fe685b6, 379, 383
379: ld [args[1].hi]
380: jeq #0x7fbc, 381, 383
381: ld [args[1].lo]
382: jeq #0x8fe685c9, 492, 383
383: ld [args[0].lo]
384: jeq #0x8fe68558, 385, 389
385: ld [args[1].hi]
386: jeq #0x7fbc, 387, 389
387: ld [args[1].lo]
388: jeq #0x8fe6857e, 492, 389
389: ld [args[0].lo]
390: jeq #0x8fe68508, 391, 395
391: ld [args[1].hi]
392: jeq #0x7fbc, 393, 395
393: ld [args[1].lo]
394: jeq #0x8fe68532, 492, 395
395: ld [args[0].lo]
396: jeq #0x8fe684b0, 397, 401
397: ld [args[1].hi]
398: jeq #0x7fbc, 399, 401
399: ld [args[1].lo]
400: jeq #0x8fe684de, 492, 401
401: ld [args[0].lo]
402: jeq #0x8fe68444, 403, 407
403: ld [args[1].hi]
404: jeq #0x7fbc, 405, 407
405: ld [args[1].lo]
406: jeq #0x8fe6847c, 492, 407
407: ld [args[0].lo]
408: jeq #0x8fe683e0, 409, 413
409: ld [args[1].hi]
410: jeq #0x7fbc, 411, 413
411: ld [args[1].lo]
412: jeq #0x8fe68414, 492, 413
413: ld [args[0].lo]
414: jeq #0x8fe683b5, 415, 419
415: ld [args[1].hi]
416: jeq #0x7fbc, 417, 419
417: ld [args[1].lo]
418: jeq #0x8fe6838e, 492, 419
419: ld [args[0].lo]
420: jeq #0x8fe68363, 421, 425
421: ld [args[1].hi]
422: jeq #0x7fbc, 423, 425
423: ld [args[1].lo]
424: jeq #0x8fe6838e, 492, 425
425: ld [args[0].lo]
426: jeq #0x8fe68334, 427, 431
427: ld [args[1].hi]
428: jeq #0x7fbc, 429, 431
429: ld [args[1].lo]
430: jeq #0x8fe68363, 492, 431
431: ld [args[0].lo]
432: jeq #0x8fe68308, 433, 437
433: ld [args[1].hi]
434: jeq #0x7fbc, 435, 437
435: ld [args[1].lo]
436: jeq #0x8fe682e0, 492, 437
437: ld [args[0].lo]
438: jeq #0x8fe682b4, 439, 443
439: ld [args[1].hi]
440: jeq #0x7fbc, 441, 443
441: ld [args[1].lo]
442: jeq #0x8fe682e0, 492, 443
443: ld [args[0].lo]
444: jeq #0x8fe68284, 445, 449
445: ld [args[1].hi]
446: jeq #0x7fbc, 447, 449
447: ld [args[1].lo]
448: jeq #0x8fe682b4, 492, 449
449: ld [args[0].lo]
450: jeq #0x8fe6825a, 451, 455
451: ld [args[1].hi]
452: jeq #0x7fbc, 453, 455
453: ld [args[1].lo]
454: jeq #0x8fe68234, 492, 455
455: ld [args[0].lo]
456: jeq #0x8fe68206, 457, 461
457: ld [args[1].hi]
458: jeq #0x7fbc, 459, 461
459: ld [args[1].lo]
460: jeq #0x8fe6806f, 492, 461
461: ld [args[0].lo]
462: jeq #0x8fe681e7, 463, 467
463: ld [args[1].hi]
464: jeq #0x7fbc, 465, 467
465: ld [args[1].lo]
466: jeq #0x8fe680bf, 492, 467
467: ld [args[0].lo]
468: jeq #0x8fe681a7, 469, 473
469: ld [args[1].hi]
470: jeq #0x7fbc, 471, 473
471: ld [args[1].lo]
472: jeq #0x8fe681c9, 492, 473
473: ld [args[0].lo]
474: jeq #0x8fe68157, 475, 479
475: ld [args[1].hi]
476: jeq #0x7fbc, 477, 479
477: ld [args[1].lo]
478: jeq #0x8fe68181, 492, 479
479: ld [args[0].lo]
480: jeq #0x8fe68109, 481, 485
481: ld [args[1].hi]
482: jeq #0x7fbc, 483, 485
483: ld [args[1].lo]
484: jeq #0x8fe68132, 492, 485
485: ld [args[0].lo]
486: jeq #0x8fe6806f, 487, 491
487: ld [args[1].hi]
488: jeq #0x7fbc, 489, 491
489: ld [args[1].lo]
490: jeq #0x8fe68234, 492, 491
491: ret errno(EPERM)
492: ret allow
493: ret kill-thread
