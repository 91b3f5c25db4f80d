// A refnet sub-command. Program finds every ICommand in this assembly, so each command lives in
// its own file under Commands/ and needs no registration elsewhere.
namespace RefNet.Cli;

/// <summary>One <c>refnet</c> sub-command.</summary>
public interface ICommand
{
    /// <summary>The word after <c>refnet</c>, e.g. "summary".</summary>
    string Name { get; }

    /// <summary>One line for <c>refnet help</c>.</summary>
    string Description { get; }

    /// <summary>Runs the command; returns the process exit code.</summary>
    /// <param name="args">Arguments after the command name.</param>
    /// <param name="output">Standard output.</param>
    /// <exception cref="UsageException">Bad arguments (printed as one line, exit code 2).</exception>
    int Run(string[] args, TextWriter output);
}

/// <summary>A user error in the command line or its inputs; printed as one line without a stack trace.</summary>
public sealed class UsageException(string message) : Exception(message);
