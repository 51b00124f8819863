# A runaway loop: stopped at the time limit; variables defined earlier would be kept.
n = 0
while True:
    n += 1
