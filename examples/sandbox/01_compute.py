# What a model's action looks like: plain Python, authorised imports, final_answer.
import statistics
from collections import Counter

text = "the quick brown fox jumps over the lazy dog the fox"
counts = Counter(text.split())
print("most common:", counts.most_common(2))
primes = [n for n in range(2, 50) if all(n % d for d in range(2, n))]
print("median prime below 50:", statistics.median(primes))
final_answer(f"{len(primes)} primes, top word {counts.most_common(1)[0][0]!r}")
