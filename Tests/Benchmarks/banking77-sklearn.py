#!/usr/bin/env python3
"""scikit-learn baselines on BANKING77's official split, to read beside `frontline-bench banking77`.

Usage (scikit-learn in a virtual environment, not committed):
    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
    /tmp/skvenv/bin/python Tests/Benchmarks/banking77-sklearn.py /work/shared/datasets/banking77

Prints, per model: accuracy and expected calibration error on test.csv, training seconds, and
classifications per second on one core (single texts one after another, model loaded). The
models are the two baselines named in the dataset's README, first as there (raw term counts),
then with sublinear tf as the built-in engine uses, which helps both.
"""
import csv
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, like the Swift measurement

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC


def read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row["category"] for row in rows]


def expected_calibration_error(confidence, correct, bins=10):
    # Ten equal-width confidence bins, weighted by how many predictions fall in each.
    index = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += abs(confidence[mask].mean() - correct[mask].mean()) * mask.sum()
    return total / len(confidence)


def measure(name, model, train, test, probabilities):
    started = time.perf_counter()
    model.fit(*train)
    training = time.perf_counter() - started
    texts, labels = test
    predicted = model.predict(texts)
    accuracy = float(np.mean(predicted == np.array(labels)))
    ece = "-"
    if probabilities:
        probability = model.predict_proba(texts)
        best = probability.argmax(axis=1)
        correct = model.classes_[best] == np.array(labels)
        ece = "%.4f" % expected_calibration_error(probability.max(axis=1), correct)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < 3:
        for text in texts[:500]:
            model.predict([text])
            count += 1
    rate = count / (time.perf_counter() - started)
    print(f"{name:58} {accuracy:8.4f} {ece:>7} {training:9.1f} {rate:12.0f}")


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/datasets/banking77"
    train = read(os.path.join(folder, "train.csv"))
    test = read(os.path.join(folder, "test.csv"))
    print(f"scikit-learn {sklearn.__version__}, {len(train[0])} training and {len(test[0])} test texts")
    print(f"{'model':58} {'accuracy':>8} {'ECE':>7} {'train s':>9} {'classif./s':>12}")
    for sublinear in (False, True):
        suffix = ", sublinear tf" if sublinear else ""
        measure(
            "TF-IDF word 1-2 + logistic regression (C=10)" + suffix,
            make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=sublinear), LogisticRegression(C=10, max_iter=2000)),
            train, test, probabilities=True,
        )
        features = lambda: make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=sublinear),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=sublinear),
        )
        measure("TF-IDF word 1-2 + char_wb 2-5 + LinearSVC (C=0.5)" + suffix, make_pipeline(features(), LinearSVC(C=0.5)), train, test, probabilities=False)
    # The same SVM with sigmoid calibration on 5 folds, for an ECE to compare with ours.
    measure(
        "  same, Platt-calibrated on 5 folds (for its ECE)",
        make_pipeline(features(), CalibratedClassifierCV(LinearSVC(C=0.5), cv=5)),
        train, test, probabilities=True,
    )


if __name__ == "__main__":
    main()
