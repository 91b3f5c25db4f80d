// Test classes that start other processes (the CLI, sh, python) and time or kill them run one at a time: a training
// child that holds both cores (kill-and-resume) must not starve another test's timed child process.
using Xunit;

namespace RefNet.Tests.Common;

/// <summary>The collection of tests that start child processes; never run in parallel with each other or others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChildProcessCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Child processes";
}
