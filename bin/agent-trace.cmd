@echo off
rem The agent-trace launcher for Windows, for an installed copy (agent-trace.jar beside this bin\
rem directory) and for a source checkout (cli\target\agent-trace.jar). JVM warnings go to stderr:
rem stdout carries the MCP protocol. Start-up archives are the POSIX launcher's (bin/install).
setlocal
set "HERE=%~dp0.."
set "JAR=%HERE%\agent-trace.jar"
if not exist "%JAR%" set "JAR=%HERE%\cli\target\agent-trace.jar"
if not exist "%JAR%" (
  echo agent-trace: %JAR% is missing; build it with: mvn -B -q -DskipTests package 1>&2
  exit /b 1
)
set "JAVA=java"
if defined JAVA_HOME set "JAVA=%JAVA_HOME%\bin\java"
set "JIT=-XX:TieredStopAtLevel=1 -Xss512k"
if "%~1"=="mcp" set "JIT=-Xmx512m"
if "%~1"=="record-http" set "JIT=-Xss512k"
if "%~1"=="serve" set "JIT=-Xss512k"
"%JAVA%" -Xlog:disable -Xlog:all=warning:stderr -Xlog:jfr+startup=error:stderr -XX:+UseSerialGC %JIT% %AGENT_TRACE_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%
