import Foundation

/// Runs a program to completion: what it wrote (standard output and error together) and its exit
/// status. For tests that check a tool's verdict (`rrdtool info`, `xmllint`, `systemd-analyze`).
/// It runs on a thread of its own, off the cooperative pool (see `onOwnThread`).
public func runCommand(_ executable: String, _ arguments: [String], input: [UInt8] = []) async throws -> (status: Int32, output: String) {
    try await onOwnThread { try runCommandBlocking(executable, arguments, input: input) }
}

private func runCommandBlocking(_ executable: String, _ arguments: [String], input: [UInt8]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stdout
    try process.run()
    if !input.isEmpty { stdin.fileHandleForWriting.write(Data(input)) }
    try stdin.fileHandleForWriting.close()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}
