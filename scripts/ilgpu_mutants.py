#!/usr/bin/env python3
"""make mutate-ilgpu: hand-written mutants of the ILGPU kernels, each built and run against the ILGPU test suite.

Stryker cannot mutate kernels: its instrumentation reads a static field in every mutated expression, which ILGPU
kernels may not do (the PTX compile tests would "kill" every mutant for the wrong reason). So this probe applies
one source edit at a time, builds RefNet.Backends.Ilgpu.Tests, runs it (CPU accelerator; CUDA when present) and
restores the file. A mutant is killed when the suite fails; a mutant that does not compile is reported as such.
Each mutant is a realistic kernel slip: an off-by-one bound, a 1-ulp bias, a dropped term, a wrong stride.
Usage: scripts/ilgpu_mutants.py [name-substring …]   (env MUTANT_CONFIGURATION, default Release)
"""
import os
import subprocess
import sys
import time

K = "src/RefNet.Backends.Ilgpu/Kernels/"
MUTANTS = [
    ("map1-ulp-bias", K + "FormulaKernels.cs", "y[i] = f.Apply(x[i]);", "y[i] = T.BitIncrement(f.Apply(x[i]));",
     "a 1-ulp bias on every unary map (the tanh survivor of the tolerance-based suite)"),
    ("map1-last-element", K + "FormulaKernels.cs", "for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)\n        {\n            y[i] = f.Apply(x[i]);",
     "for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength - 1; i += step)\n        {\n            y[i] = f.Apply(x[i]);",
     "the unary map skips the last element"),
    ("update1-ulp-bias", K + "FormulaKernels.cs", "f.Apply(ref pi, g[i], ref si);\n            p[i] = pi;", "f.Apply(ref pi, g[i], ref si);\n            p[i] = T.BitDecrement(pi);",
     "a 1-ulp bias on one-state updates (momentum, RMSprop, AdaGrad)"),
    ("maprows-skip-first", K + "FormulaKernels.cs", "T r1 = f.Initial1;\n            for (int j = 0; j < cols; j++)", "T r1 = f.Initial1;\n            for (int j = 1; j < cols; j++)",
     "row maps' first fold skips column 0 (softmax's row max)"),
    ("finishsum-last-partial", K + "ReductionKernels.cs", "for (int t = 0; t < partials.IntLength; t++)", "for (int t = 0; t < partials.IntLength - 1; t++)",
     "the whole-tensor sum drops the last partial"),
    ("sumrows-last-row", K + "ReductionKernels.cs", "for (int r = 0; r < rows; r++)", "for (int r = 0; r < rows - 1; r++)",
     "column sums drop the last row"),
    ("gridstride-step", K + "GridStride.cs", "public static int Step => Grid.DimX * Group.DimX;", "public static int Step => (Grid.DimX * Group.DimX) + 1;",
     "the grid-stride step is one too long (elements past the first grid are skipped)"),
    ("gemm-beta-zero", K + "GemmKernels.cs", "c[idx] = beta == T.Zero ? alpha * sum : (alpha * sum) + (beta * c[idx]);\n        }\n    }\n\n    /// <summary>\n    /// c[i, j] = alpha",
     "c[idx] = (alpha * sum) + (beta * c[idx]);\n        }\n    }\n\n    /// <summary>\n    /// c[i, j] = alpha",
     "the grid-stride GEMM reads C when beta = 0 (NaN in C leaks into the result)"),
    ("pool-count-from-one", K + "WindowKernels.cs", "T acc = kind == 0 ? T.NegativeInfinity : T.Zero;\n            T count = T.Zero;", "T acc = kind == 0 ? T.NegativeInfinity : T.Zero;\n            T count = T.One;",
     "average pooling divides by one more than the window's size"),
    ("scatter-first-index", K + "ElementwiseKernels.cs", "for (int i = 0; i < n; i++)\n            {\n                if (indices[i] == v)", "for (int i = 1; i < n; i++)\n            {\n                if (indices[i] == v)",
     "the scatter-add ignores the first index"),
    ("copycolumns-overwrite", K + "ElementwiseKernels.cs", "destination[o] = b.Accumulate != 0 ? destination[o] + v : v;", "destination[o] = v;",
     "column copies never accumulate"),
    ("argmax-last-maximum", K + "ReductionKernels.cs", "if (x[o + j] > x[o + best])", "if (x[o + j] >= x[o + best])",
     "row argmax returns the last maximum, not the first"),
]


# The PTX compile tests are left out: a mutant that PTX cannot compile (T.BitIncrement, say) would count as killed
# for the wrong reason. What must kill a mutant is an equivalence, contract or training test on the CPU accelerator.
FILTER = '--filter "FullyQualifiedName!~PtxCompile" --blame-hang-timeout 5m'


def run(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True)


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    config = os.environ.get("MUTANT_CONFIGURATION", "Release")
    wanted = sys.argv[1:]
    chosen = [m for m in MUTANTS if not wanted or any(w in m[0] for w in wanted)]
    project = "tests/RefNet.Backends.Ilgpu.Tests"
    start = time.time()
    # Baseline: the unmutated suite must pass, or every mutant would look killed.
    if run(f"dotnet build {project} -c {config} -nologo -v q").returncode != 0 or \
            run(f"dotnet test {project} -c {config} --no-build -nologo {FILTER}").returncode != 0:
        print("baseline: the unmutated ILGPU suite does not build or pass; fix that first", file=sys.stderr)
        sys.exit(2)
    rows = []
    for name, path, old, new, what in chosen:
        with open(path, encoding="utf-8") as f:
            original = f.read()
        if original.count(old) < 1:
            print(f"mutant {name}: pattern not found in {path} (update scripts/ilgpu_mutants.py)", file=sys.stderr)
            sys.exit(2)
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original.replace(old, new, 1))
            t0 = time.time()
            build = run(f"dotnet build {project} -c {config} -nologo -v q")
            if build.returncode != 0:
                status, detail = "compile error", ""
            else:
                test = run(f"dotnet test {project} -c {config} --no-build -nologo {FILTER}")
                failed = [l.strip() for l in test.stdout.splitlines() if l.strip().startswith("Failed ")]
                status = "killed" if test.returncode != 0 else "SURVIVED"
                detail = f"{len(failed)} failing, e.g. {failed[0][7:].split(' [')[0]}" if failed else ""
            rows.append((name, what, status, detail, time.time() - t0))
            print(f"{name}: {status} ({time.time() - t0:.0f} s) {detail}", flush=True)
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)
    run(f"dotnet build {project} -c {config} -nologo -v q")
    killed = sum(1 for r in rows if r[2] == "killed")
    tested = sum(1 for r in rows if r[2] != "compile error")
    print()
    print("| mutant | what it plants | result | first failing test |")
    print("|---|---|---|---|")
    for name, what, status, detail, _ in rows:
        print(f"| `{name}` | {what} | {status} | {detail} |")
    print(f"\nILGPU kernel mutants: {killed} of {tested} killed in {time.time() - start:.0f} s ({config})")
    sys.exit(0 if killed == tested else 1)


if __name__ == "__main__":
    main()
